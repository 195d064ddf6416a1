import LoaCalendar

/// The candidate closest to a misspelled word, if one is close enough to be
/// what the operator meant ("per_dya" → "per_day").
func suggestion(for word: String, among candidates: some Sequence<String>) -> String? {
  let scored = candidates.map { ($0, Spelling.distance(word.lowercased(), $0.lowercased())) }
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
