//===--- LawCodes.swift ---------------------------------------------------===//
// The one mapping between include/pace.h's law codes (PACE_LAW_*,
// PACE_WARMUP_*, PACE_FIT_*, PACE_FAMILY_*) and the Swift enums of PaceLaws.
// The pace_law_* functions and pace_names_json both read it.
//===----------------------------------------------------------------------===//
import CPace
import PaceLaws

/// The C codes of the laws' vocabularies, each a short table (lookups are
/// linear in a handful of entries).
enum LawCodes {
  /// PACE_LAW_* of each law kind.
  static let kinds: [(code: UInt32, kind: LawKind)] = [
    (PACE_LAW_ANNEALING, .annealing),
    (PACE_LAW_MULTI_POWER, .multiPower),
  ]

  /// PACE_WARMUP_* of each warmup mode; nil is the law's own (DEFAULT).
  static let warmupModes: [(code: UInt32, mode: WarmupMode?)] = [
    (PACE_WARMUP_DEFAULT, nil),
    (PACE_WARMUP_SUM, .sum),
    (PACE_WARMUP_PEAK, .peak),
    (PACE_WARMUP_RAW, .raw),
  ]

  /// PACE_FIT_* of each fit method; nil is the law's cross-validated
  /// default (AUTO: `LawKind.defaultFitMethod`).
  static let fitMethods: [(code: UInt32, method: FitMethod?)] = [
    (PACE_FIT_LM, .levenbergMarquardt),
    (PACE_FIT_ADAM, .adam),
    (PACE_FIT_AUTO, nil),
  ]

  /// PACE_FAMILY_* bit of each searched schedule family.
  static let families: [(bit: UInt32, family: ScheduleFamily)] = [
    (PACE_FAMILY_WSD, .wsd),
    (PACE_FAMILY_COSINE, .cosine),
    (PACE_FAMILY_REX, .rex),
    (PACE_FAMILY_UBA, .uba),
    (PACE_FAMILY_LINEAR, .linear),
  ]

  /// The name of the DEFAULT warmup mode (the others use their raw values).
  static let defaultWarmupName = "default"
  /// The name of the AUTO fit method (the others use their raw values).
  static let autoFitMethodName = "auto"

  /// The law kind of a PACE_LAW_* code, or nil.
  static func kind(_ code: UInt32) -> LawKind? {
    kinds.first { $0.code == code }?.kind
  }

  /// The PACE_LAW_* code of a law kind.
  static func code(_ kind: LawKind) -> UInt32 {
    kinds.first { $0.kind == kind }?.code ?? UInt32.max
  }

  /// The warmup mode of a PACE_WARMUP_* code: `.some(nil)` for DEFAULT,
  /// nil for an unknown code.
  static func warmupMode(_ code: UInt32) -> WarmupMode?? {
    warmupModes.first { $0.code == code }.map { $0.mode }
  }

  /// The fit method of a PACE_FIT_* code: `.some(nil)` for AUTO, nil for
  /// an unknown code.
  static func fitMethod(_ code: UInt32) -> FitMethod?? {
    fitMethods.first { $0.code == code }.map { $0.method }
  }

  /// The families whose PACE_FAMILY_* bits are set in `bits`, in table order.
  static func families(_ bits: UInt32) -> [ScheduleFamily] {
    families.filter { bits & $0.bit != 0 }.map(\.family)
  }
}
