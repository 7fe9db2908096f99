//===--- RunLog+CSV.swift -------------------------------------------------===//
// A training log read from CSV text: columns step, lr and loss.
//===----------------------------------------------------------------------===//

extension RunLog {
  /// Names accepted for the LR column (case-insensitive), in order of
  /// preference: `lr`, then `learning_rate` (Hugging Face's log name).
  public static let lrColumnNames = ["lr", "learning_rate"]

  /// Reads CSV text whose header names the columns `step` and `loss`, and
  /// optionally `lr` (or `learning_rate`): names are case-insensitive and
  /// may be quoted; other columns are ignored. One row per logged step:
  /// an empty field, `nan` or `NaN` is a value that was not logged. Rows
  /// with the same step are merged (a loss row and an LR row, say; two
  /// different values of one column are an error). Steps must increase
  /// otherwise. Blank lines are skipped.
  ///
  /// - Complexity: O(text length).
  public init(csv text: String, name: String = "run") throws(LawError) {
    var lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }[...]
    guard let header = lines.popFirst() else { throw .argument("\(name): empty CSV") }
    let names = Self.fields(header).map { $0.lowercased() }
    guard let si = names.firstIndex(of: "step"), let li = names.firstIndex(of: "loss") else {
      throw .argument("\(name): the header must name the columns 'step' and 'loss' (and optionally 'lr'), got '\(header.prefix(200))'")
    }
    let ri = Self.lrColumnNames.lazy.compactMap { names.firstIndex(of: $0) }.first
    var steps: [Int] = []
    var lrs: [Double] = []
    var losses: [Double] = []
    for (n, line) in lines.enumerated() {
      let fields = Self.fields(line)
      if fields.allSatisfy({ $0.isEmpty }) { continue }
      let where_ = "\(name): line \(n + 2)"
      guard fields.count > Swift.max(si, li, ri ?? 0) else {
        throw .argument("\(where_) has \(fields.count) fields, the header \(names.count)")
      }
      guard let s = Double(fields[si]), s == s.rounded(), s >= 0, s <= Double(Self.maximumStep) else {
        throw .argument("\(where_): step '\(fields[si].prefix(40))' is not an integer in [0, \(Self.maximumStep)]")
      }
      let lr = try ri.map { (i) throws(LawError) -> Double in try Self.value(fields[i], "lr", where_) } ?? .nan
      let loss = try Self.value(fields[li], "loss", where_)
      let step = Int(s)
      if let previous = steps.last, step <= previous {
        guard step == previous else {
          throw .argument("\(where_): step \(step) comes after step \(previous) (steps must increase)")
        }
        lrs[lrs.count - 1] = try Self.merge(lrs[lrs.count - 1], lr, "lr", where_)
        losses[losses.count - 1] = try Self.merge(losses[losses.count - 1], loss, "loss", where_)
        continue
      }
      steps.append(step)
      lrs.append(lr)
      losses.append(loss)
    }
    guard !steps.isEmpty else { throw .argument("\(name): no data rows") }
    try self.init(name: name, steps: steps, lrs: ri == nil ? nil : lrs, losses: losses)
  }

  /// The comma-separated fields of a line, trimmed, surrounding quotes removed.
  static func fields(_ line: Substring) -> [String] {
    line.split(separator: ",", omittingEmptySubsequences: false).map { raw in
      var f = raw.drop { $0 == " " || $0 == "\t" }
      while let last = f.last, last == " " || last == "\t" { f = f.dropLast() }
      if f.count >= 2, f.first == "\"", f.last == "\"" { f = f.dropFirst().dropLast() }
      return String(f)
    }
  }

  /// A field's number: empty or nan is NaN (not logged).
  static func value(_ field: String, _ column: String, _ where_: String) throws(LawError) -> Double {
    if field.isEmpty || field.lowercased() == "nan" { return .nan }
    guard let v = Double(field) else { throw .argument("\(where_): \(column) '\(field.prefix(40))' is not a number") }
    return v
  }

  /// Two rows of one step: the logged value (both logged: equal).
  static func merge(_ a: Double, _ b: Double, _ column: String, _ where_: String) throws(LawError) -> Double {
    if a.isNaN { return b }
    if b.isNaN || a == b { return a }
    throw .argument("\(where_): a second \(column) (\(b)) for a step that already has \(a)")
  }
}
