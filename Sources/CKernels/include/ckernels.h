#ifndef AQYL_CKERNELS_H
#define AQYL_CKERNELS_H
#include <stddef.h>
#include <stdint.h>
#endif
