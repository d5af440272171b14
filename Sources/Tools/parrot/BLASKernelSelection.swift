import Acoustic
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Makes sure OpenBLAS uses the fastest kernels this CPU supports: if the CPU has AVX-512 but
/// OpenBLAS chose AVX2 kernels, the process re-executes itself once with
/// `OPENBLAS_CORETYPE=SkylakeX` (OpenBLAS reads it only when it loads). A user's own
/// `OPENBLAS_CORETYPE` is always respected.
enum BLASKernelSelection {
    static func ensureFastKernels() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["PARROT_BLAS_REEXEC"] == nil,
              BLAS.shouldSelectAVX512Kernels else { return }
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        setenv("PARROT_BLAS_REEXEC", "1", 1)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        // execv returns only on failure: carry on with the slower kernels.
    }
}
