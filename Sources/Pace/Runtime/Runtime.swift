//===--- Runtime.swift ----------------------------------------------------===//
// The training-loop runtime: step counter, channels, groups, norm history.
//===----------------------------------------------------------------------===//

/// Why a runtime call was refused.
public enum RuntimeError: Error, Sendable, CustomStringConvertible {
  /// A bad argument (unknown channel, a step count out of range...).
  case argument(String)
  /// A spec or config rejected, with its JSON path.
  case spec(SpecError)
  /// Saved state truncated, corrupted or of another kind.
  case state(String)
  /// Saved state of an unknown (future) format version.
  case version(String)

  public var description: String {
    switch self {
    case .argument(let m), .state(let m), .version(let m): return m
    case .spec(let e): return e.description
    }
  }
}

/// The state a training loop needs around its schedules: the optimizer step,
/// several channels (hyper-parameters), parameter groups with a scale per
/// channel, the gradient-norm history, the run's events (a cooldown that
/// starts now, re-warming, a new length) and online refinement.
///
/// Values are laid out group-major: `values[g * channelCount + c]`.
/// A runtime is used by one thread at a time.
public final class Runtime {
  public let config: RuntimeConfig
  /// The channels, in config order.
  public internal(set) var channels: [Channel]
  /// Optimizer steps taken so far; the current values are those of this step.
  public internal(set) var step: Int64 = 0
  /// The gradient norm of every step taken (NaN when not measured).
  public internal(set) var norms: [Double] = []
  /// Step of the last online re-plan (or -1).
  public internal(set) var lastReplan: Int64 = -1
  /// Group scales, group-major (`groupCount x channelCount`).
  @usableFromInline let scales: [Double]

  public var channelCount: Int { channels.count }
  public var groupCount: Int { config.groups.count }
  /// Number of values written by ``values(into:)``: groups x channels.
  public var valueCount: Int { channels.count * config.groups.count }

  /// Creates a runtime at step 0 from a parsed config.
  public init(config: RuntimeConfig) throws(RuntimeError) {
    self.config = config
    var channels: [Channel] = []
    for (name, spec) in zip(config.channelNames, config.channelSpecs) {
      do throws(SpecError) {
        let schedule = try Schedule.parse(spec)
        channels.append(Channel(name: name, segments: [Segment(start: 0, schedule: schedule, origin: 0, rate: 1)]))
      } catch {
        throw .spec(SpecError(path: joinPath("channels." + name, error.path), error.message))
      }
    }
    self.channels = channels
    self.scales = config.groups.flatMap { $0.scales }
  }

  /// Creates a runtime from config text.
  public convenience init(configText: String) throws(RuntimeError) {
    let config: RuntimeConfig
    do throws(SpecError) {
      config = try RuntimeConfig.parse(configText)
    } catch {
      throw .spec(error)
    }
    try self.init(config: config)
  }

  /// Writes the values of the current step (`valueCount` of them).
  ///
  /// - Complexity: O(channels x (events + phases) + groups x channels).
  @inlinable
  public func values(into out: UnsafeMutablePointer<Double>) {
    let c = channels.count
    if c == 1 && scales.count == 1 {
      out[0] = channels[0].value(at: step) * scales[0]
      return
    }
    for j in 0..<c {
      let v = channels[j].value(at: step)
      var g = 0
      while g < scales.count / c {
        out[g * c + j] = v * scales[g * c + j]
        g += 1
      }
    }
  }

  /// The value of one channel at the current step (before group scales).
  public func value(channel: Int) -> Double { channels[channel].value(at: step) }

  /// Records the gradient norm of the current step (NaN when not measured),
  /// advances one step, re-plans when online refinement is due, and writes
  /// the new step's values.
  ///
  /// - Complexity: amortised O(1) plus a re-plan (O(T log w)) every
  ///   `refine.every` steps.
  public func advance(gradNorm: Double, into out: UnsafeMutablePointer<Double>) {
    norms.append(gradNorm)
    step += 1
    if let refine = config.refine, step >= refine.minHistory, step - Swift.max(lastReplan, 0) >= refine.every {
      replan(refine)
    }
    values(into: out)
  }

  /// Index of a channel by name; `nil` names the `lr` channel (or the first).
  func channelIndex(_ name: String?) throws(RuntimeError) -> Int {
    if let name {
      guard let i = channels.firstIndex(where: { $0.name == name }) else {
        throw .argument("no channel named \"\(name)\" (channels: \(channels.map(\.name).joined(separator: ", ")))")
      }
      return i
    }
    return channels.firstIndex { $0.name == "lr" } ?? 0
  }
}
