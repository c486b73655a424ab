/// Collects defects during a parse, capped so a message made of millions of junk lines
/// cannot make the defect list itself the memory problem.
struct DefectLog {
    static let capacity = 1000
    private(set) var defects: [MIMEDefect] = []

    mutating func record(_ defect: MIMEDefect) {
        if defects.count < Self.capacity { defects.append(defect) }
    }
}
