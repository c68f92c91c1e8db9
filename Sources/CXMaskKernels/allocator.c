#include "cxmask_allocator.h"
#if __STDC_HOSTED__ /* a freestanding compile (.ci/run's aarch64 check) has no libc headers */
#include <stdlib.h> /* brings <features.h>, which defines __GLIBC__: test it only after a libc header */
#endif
#if defined(__GLIBC__)
#include <malloc.h>
int xm_keep_large_allocations(void) {
    /* 1 GiB thresholds: blocks below are served from the heap and not trimmed back. */
    int a = mallopt(M_MMAP_THRESHOLD, 1 << 30);
    int b = mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return a == 1 && b == 1;
}
#else
int xm_keep_large_allocations(void) { return 0; }
#endif
