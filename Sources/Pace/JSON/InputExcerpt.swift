//===--- InputExcerpt.swift -----------------------------------------------===//
// Quoting caller input in error messages, bounded.
//===----------------------------------------------------------------------===//

/// Error messages quote what the caller gave (a field name, a channel, a
/// shape) through this one helper, so a 10 MB name never makes a 10 MB
/// message: at most `limit` characters of `text`, in double quotes, with
/// "..." and the full length when cut.
///
/// - Complexity: O(limit).
package func quotedExcerpt(_ text: String, limit: Int = 200) -> String {
  var cut = ""
  var count = 0
  for ch in text {
    if count == limit { return "\"\(cut)...\" (\(text.utf8.count) bytes)" }
    cut.append(ch)
    count += 1
  }
  return "\"\(cut)\""
}
