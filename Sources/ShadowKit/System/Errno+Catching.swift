import SystemPackage

extension Errno {
    /// Runs `body`, which calls swift-system, and rethrows its error as the
    /// `Errno` it is (swift-system throws nothing else).
    static func catching<T>(_ body: () throws -> T) throws(Errno) -> T {
        do {
            return try body()
        } catch let error as Errno {
            throw error
        } catch {
            throw Errno.ioError
        }
    }
}
