/* The shared counter from which Parallelism's workers take their next index (Swift's own
 * atomics need macOS 15; the package supports macOS 13). */
#include "cxmask_kernels.h"

long xm_counter_next(long *counter) { return __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }
