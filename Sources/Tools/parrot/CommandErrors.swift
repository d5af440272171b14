import ArgumentParser

/// Runs a subcommand's work and turns what it throws into Parrot's exit statuses: an
/// `ExitCode` (the command's own verdict, e.g. 1 when some inputs failed) passes through; any
/// other error is printed as `parrot COMMAND: error` and exits 1, or `usageStatus` for a usage
/// problem found late (`ValidationError`, e.g. 64 for a worker called with the wrong arguments).
func exitStatus(of command: String, usageStatus: Int32 = 1, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        printError("parrot \(command): \(error)")
        throw ExitCode(usageStatus)
    } catch {
        printError("parrot \(command): \(error)")
        throw ExitCode(1)
    }
}
