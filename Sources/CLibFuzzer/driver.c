// Declarations only (include/libfuzzer_driver.h); libFuzzer itself comes from the
// toolchain's runtime when linking with -sanitize=fuzzer.
#include "libfuzzer_driver.h"
