#include <cblas.h>

/// Stops OpenBLAS's worker threads (its fork handler's routine; exported by Debian's 0.3.21,
/// though no header declares it). OpenBLAS starts them again if a call later wants them.
int blas_thread_shutdown_(void);
