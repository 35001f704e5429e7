#ifndef AQYL_LIBFUZZER_DRIVER_H
#define AQYL_LIBFUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that keep their own `main` (LLVM ≥ 12): it parses
/// libFuzzer's flags from argv and fuzzes `callback`. Defined only when the program is
/// linked with `-sanitize=fuzzer` (scripts/fuzz.sh); `aqyl-fuzz` calls it only then.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
