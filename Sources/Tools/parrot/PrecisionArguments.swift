import Acoustic
import ArgumentParser
import Foundation

extension Precision: ExpressibleByArgument {}

/// `--precision`, for the commands that run the acoustic model.
struct PrecisionArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Arithmetic of the LSTM layers' matrix products: fp32, or bf16 (inputs and weights rounded to BF16 as they enter a product, sums in FP32; weights, gradients and everything else stay FP32). Needs a CPU with AVX512_BF16. Default: bf16 where the CPU has it, else fp32 (parrot --version says which).", valueName: "fp32|bf16"))
    var precision: Precision?

    func validate() throws {
        if let precision, !precision.isAvailable {
            throw ValidationError("--precision \(precision.rawValue): this CPU has no AVX512_BF16; use fp32")
        }
    }

    /// Makes the chosen precision the one new workspaces use, here and (through
    /// `PARROT_PRECISION`) in the jobs this command launches.
    func apply() {
        if let precision { Precision.active = precision }
        setenv("PARROT_PRECISION", Precision.active.rawValue, 1)
    }

    /// The command line's precision before `--precision`: `PARROT_PRECISION` when it names one this
    /// CPU runs (as in the jobs a command launches), else `Precision.automatic`.
    static func chooseDefault() {
        Precision.active = Precision.named ?? .automatic
    }
}
