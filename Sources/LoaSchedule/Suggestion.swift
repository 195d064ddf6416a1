/// The candidate closest to a misspelled word, if one is close enough to be
/// what the operator meant ("per_dya" → "per_day").
func suggestion(for word: String, among candidates: some Sequence<String>) -> String? {
  let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
  guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else {
    return nil
  }
  let allowance = max(1, min(3, best.0.count / 3))
  return best.1 <= allowance ? best.0 : nil
}

/// " (did you mean 'x'?)" or "".
func didYouMean(_ word: String, among candidates: some Sequence<String>) -> String {
  suggestion(for: word, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
}

/// Optimal string alignment distance: Levenshtein plus adjacent swaps, so
/// that the commonest typo, two letters swapped, costs one.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a)
  let b = Array(b)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous2 = [Int](repeating: 0, count: b.count + 1)
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        current[j] = Swift.min(current[j], previous2[j - 2] + 1)
      }
    }
    (previous2, previous, current) = (previous, current, previous2)
  }
  return previous[b.count]
}
