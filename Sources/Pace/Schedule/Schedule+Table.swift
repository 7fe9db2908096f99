//===--- Schedule+Table.swift ---------------------------------------------===//
// Building a table schedule directly, without spec text.
//===----------------------------------------------------------------------===//

extension Schedule {
  /// A schedule that plays `multipliers` (one per step) scaled by `peak`,
  /// then holds the last value: the same schedule as the spec
  /// `{"peak": peak, "phases": [{"shape": "table", "values": multipliers}]}`.
  ///
  /// - Precondition: `multipliers` is non-empty and finite; `peak > 0`.
  public static func table(_ multipliers: [Double], peak: Double) -> Schedule {
    precondition(!multipliers.isEmpty && peak > 0)
    let arena = Arena()
    let table = Table(values: arena.copy(multipliers), pointPositions: arena.copy([Double]()),
                      pointValues: arena.copy([Double]()), interpolation: .step)
    let length = Double(multipliers.count)
    let phase = Phase(shape: .table(table), from: multipliers[0], to: .nan, length: length, offset: 0,
                      endpoint: .exclusive, mirror: true, peak: peak)
    return Schedule(arena: arena, peak: peak, after: .hold, totalStepsField: nil, items: [.phase(phase)],
                    starts: [0], ends: [length], endMultiplier: multipliers[multipliers.count - 1])
  }
}
