/// A data-race report of KCSAN, the kernel's concurrency sanitizer, in a
/// kernel log: the records from the rule line that opens it, through its
/// title (`BUG: KCSAN: data-race in a / b`), the accesses and their stacks,
/// to the rule line that closes it.
///
/// ```
/// ==================================================================
/// BUG: KCSAN: data-race in _find_next_and_bit+0x40/0x100
///
/// race at unknown origin, with read to 0xffffffffab93b580 of 8 bytes ...
///  _find_next_and_bit+0x40/0x100
///  ...
/// ==================================================================
/// ```
public struct KCSANReport: Sendable, Equatable {
    /// The rule line that opens and closes a report.
    public static let rule = String(repeating: "=", count: 66)
    /// What starts a report's title.
    public static let titlePrefix = "BUG: KCSAN:"

    /// The title: `BUG: KCSAN: ...`.
    public var title: String
    /// Where the report lies in the log's records, both rule lines
    /// included (the closing one when the log holds it).
    public var range: Range<Int>

    /// True when the report names code of a module whose name starts with
    /// `prefix`: in its title, or in a frame of one of its accesses' stacks
    /// (`klpsv_shadow_get+0x1c/0x90 [klpsv]`, the module in brackets)
    /// above the entry of the interrupt or exception that made the access
    /// (`asm_sysvec_apic_timer_interrupt`, `asm_exc_page_fault`): below it
    /// is only the code the interrupt happened to stop. Other lines do not
    /// count: the report's `CPU:` line names the kernel's release, which
    /// may hold anything.
    public func namesModule(_ prefix: String, in log: KernelLog) -> Bool {
        if title.contains(prefix) { return true }
        var belowEntry = false
        for record in log.records[range] {
            let line = record.message
            if line.hasSuffix(":") && line.contains(" on cpu ") {
                belowEntry = false  // the next access's stack
            } else if line.hasPrefix(" asm_") {
                belowEntry = true
            } else if !belowEntry && line.hasPrefix(" ") && line.contains("[" + prefix) {
                return true
            }
        }
        return false
    }
}

extension KernelLog {
    /// The KCSAN reports in the log, oldest first. A report whose closing
    /// rule line is not in the log yet runs to the log's end.
    public var kcsanReports: [KCSANReport] {
        var reports: [KCSANReport] = []
        var index = records.startIndex
        while index < records.endIndex {
            let title = index + 1
            guard records[index].message == KCSANReport.rule, title < records.endIndex,
                  records[title].message.hasPrefix(KCSANReport.titlePrefix) else {
                index += 1
                continue
            }
            let closing = records[(title + 1)...].firstIndex { $0.message == KCSANReport.rule }
            let end = closing.map { $0 + 1 } ?? records.endIndex
            reports.append(KCSANReport(title: records[title].message, range: index..<end))
            index = end
        }
        return reports
    }

    /// The log without `reports`, KCSAN reports found in it
    /// (``kcsanReports``).
    public func removing(_ reports: [KCSANReport]) -> KernelLog {
        var kept = records
        for report in reports.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            kept.removeSubrange(report.range)
        }
        return KernelLog(records: kept, lostRecords: lostRecords)
    }
}
