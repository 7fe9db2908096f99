//===--- NameSuggestion.swift ---------------------------------------------===//
// "Did you mean ...?" for unknown field, preset and shape names.
//===----------------------------------------------------------------------===//

/// The nearest valid name to a misspelt one, for error messages
/// (`min_lr: unknown parameter for preset "cosine"; did you mean "min_ratio"?`).
///
/// Distance is the optimal-string-alignment edit distance (insertions,
/// deletions, substitutions and swaps of two neighbours, each costing 1),
/// compared case-insensitively. A candidate qualifies when its distance is
/// at most max(2, longer length / 3), or when both names start with the same
/// word before an underscore of at least 3 letters (`min_lr` / `min_ratio`,
/// `warmup` / `warmup_steps`). The qualifying candidate of least distance
/// wins; ties go to the earlier candidate in sorted order, so the answer is
/// deterministic.
///
/// - Complexity: O(candidates x |name| x |candidate|); names are capped at
///   64 characters, so a hostile input costs at most ~4k cells a candidate.
package enum NameSuggestion {
  /// The nearest candidate, or nil when none is close enough.
  package static func nearest<C: Collection<String>>(_ name: String, among candidates: C) -> String? {
    let word = Array(name.lowercased().unicodeScalars.prefix(64))
    guard !word.isEmpty else { return nil }
    var best: (distance: Int, name: String)? = nil
    for candidate in candidates.sorted() where candidate != name {
      let other = Array(candidate.lowercased().unicodeScalars.prefix(64))
      let d = distance(word, other)
      let limit = Swift.max(2, Swift.max(word.count, other.count) / 3)
      guard d <= limit || sharesLeadingWord(word, other) else { continue }
      if best == nil || d < best!.distance { best = (d, candidate) }
    }
    return best?.name
  }

  /// `; did you mean "NAME"?` for the nearest candidate, or "" when none is close.
  package static func hint<C: Collection<String>>(_ name: String, among candidates: C) -> String {
    guard let near = nearest(name, among: candidates) else { return "" }
    return "; did you mean \"\(near)\"?"
  }

  /// Both start with the same word of >= 3 letters followed by `_` in at
  /// least one of them (or the whole of the shorter name).
  static func sharesLeadingWord(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Bool {
    func leadingWord(_ s: [Unicode.Scalar]) -> ArraySlice<Unicode.Scalar> {
      s.prefix { $0 != "_" }
    }
    let wa = leadingWord(a), wb = leadingWord(b)
    guard wa.count >= 3, wa == wb else { return false }
    return wa.count < a.count || wb.count < b.count
  }

  /// Optimal-string-alignment distance between two scalar arrays.
  static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    let width = b.count + 1
    var previous2 = [Int](repeating: 0, count: width)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: width)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        var d = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d = Swift.min(d, previous2[j - 2] + 1) }
        current[j] = d
      }
      (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
  }
}
