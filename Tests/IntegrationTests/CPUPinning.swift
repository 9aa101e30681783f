import SystemPackage

/// The CPUs a thread may run on, as the kernel's `cpu_set_t`: 1024 bits.
private typealias CPUMask = [UInt64]

@_silgen_name("sched_getaffinity")
private func cSchedGetaffinity(_ pid: Int32, _ size: Int, _ mask: UnsafeMutableRawPointer) -> Int32
@_silgen_name("sched_setaffinity")
private func cSchedSetaffinity(_ pid: Int32, _ size: Int, _ mask: UnsafeRawPointer) -> Int32
@_silgen_name("__errno_location")
private func cErrnoLocation() -> UnsafeMutablePointer<Int32>

private func affinity() throws(Errno) -> CPUMask {
    var mask = CPUMask(repeating: 0, count: 16)
    let rc = mask.withUnsafeMutableBytes { cSchedGetaffinity(0, $0.count, $0.baseAddress!) }
    guard rc == 0 else { throw Errno(rawValue: cErrnoLocation().pointee) }
    return mask
}

private func setAffinity(_ mask: CPUMask) throws(Errno) {
    let rc = mask.withUnsafeBytes { cSchedSetaffinity(0, $0.count, $0.baseAddress!) }
    guard rc == 0 else { throw Errno(rawValue: cErrnoLocation().pointee) }
}

/// Runs `body` with the calling thread on CPU `cpu` only, then lets it run
/// where it ran before. The thread is the test's own for a synchronous
/// body, so that every hook it sends is handled on `cpu`.
func onCPU<T>(_ cpu: Int, _ body: () throws -> T) throws -> T {
    precondition((0..<1024).contains(cpu))
    let before = try affinity()
    var only = CPUMask(repeating: 0, count: 16)
    only[cpu / 64] = 1 << UInt64(cpu % 64)
    try setAffinity(only)
    defer { try? setAffinity(before) }
    return try body()
}
