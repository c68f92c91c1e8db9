#ifndef CXMASK_ALLOCATOR_H
#define CXMASK_ALLOCATOR_H
/* Keeps large freed blocks in the heap instead of returning them to the kernel, so that the
   many same-sized activation buffers of a training step are reused without page faults.
   Returns 1 when applied (glibc), 0 otherwise. Called once by the xmask executables. */
int xm_keep_large_allocations(void);
#endif
