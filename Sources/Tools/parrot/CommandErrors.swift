import ArgumentParser

/// Runs a subcommand's work and turns what it throws into Parrot's exit statuses: an
/// `ExitCode` (the command's own verdict, e.g. 1 when some inputs failed) passes through; a
/// usage problem found late (`ValidationError`) is printed and exits 64; any other error is
/// printed as `parrot COMMAND: error` and exits 1.
func exitStatus(of command: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        printError("parrot \(command): \(error)")
        throw ExitCode(64)
    } catch {
        printError("parrot \(command): \(error)")
        throw ExitCode(1)
    }
}
