//===--- Sampler+Draw.swift -----------------------------------------------===//
// The sample at each slot of a step's global batch, per policy.
//===----------------------------------------------------------------------===//

extension Sampler {
  /// A permutation keyed by the seed, a stream and two more words.
  @inline(__always)
  func permutation(_ count: Int, _ stream: Stream, _ a: UInt64, _ b: UInt64 = 0) -> KeyedPermutation {
    KeyedPermutation(count: UInt64(count),
                     key: CounterRandom.key(CounterRandom.key(CounterRandom.key(config.seed, stream.rawValue), a), b))
  }

  /// Writes the samples of global-batch slots `slots` of `step` (whose first
  /// sample has offset `firstOffset`) to `out[0 ..< slots.count]`.
  ///
  /// - Complexity: O(slots) expected; plus O(D log D) (mixtures), O(log
  ///   reports) (`ability`).
  func draw(step: Int64, firstOffset: Int64, slots: Range<Int64>, history: AbilityHistory?,
            into out: UnsafeMutableBufferPointer<Int64>) throws(DataError) {
    var k = 0
    switch pool {
    case .uniform:
      try walkEpochs(size: Int(config.size), stream: .uniformEpoch, firstOffset: firstOffset, slots: slots) { out[k] = Int64($0); k += 1 }
    case .weighted(let subset):
      try walkEpochs(size: subset.count, stream: .weightedEpoch, firstOffset: firstOffset, slots: slots) { out[k] = Int64(subset[$0]); k += 1 }
    case .ordered(let order):
      let n = Int64(order.count)
      for j in slots { out[k] = Int64(order[Int((firstOffset + j) % n)]); k += 1 }
    case .competence(let order, let pacing, let c0):
      let m = SamplePool.prefix(SamplePool.competence(pacing, c0: c0, step: step), of: order.count)
      guard Int64(m) >= config.batches.size(at: step) else {
        throw .argument("step \(step): the global batch exceeds the eligible pool of \(m)")
      }
      let perm = permutation(m, .competenceStep, UInt64(step))
      for j in slots { out[k] = Int64(order[Int(perm(UInt64(j)))]); k += 1 }
    case .ability(let order, let sorted, let minPool):
      let h = history ?? AbilityHistory()
      let phase = h.phase(of: step)
      let m = Int64(SamplePool.abilityPool(sorted: sorted, cap: h.cap(ofPhase: phase), minPool: minPool))
      let phaseOffset = try config.batches.offset(of: h.start(ofPhase: phase))
      var pass: Int64 = -1
      var perm = permutation(1, .abilityPass, 0)
      for j in slots {
        let p = firstOffset + j - phaseOffset
        let (q, r) = p.quotientAndRemainder(dividingBy: m)
        if q != pass { pass = q; perm = permutation(Int(m), .abilityPass, UInt64(phase), UInt64(q)) }
        out[k] = Int64(order[Int(perm(UInt64(r)))])
        k += 1
      }
    case .mixture(let plan, let members, let starts):
      let counts = try plan.counts(at: step)
      let consumed = try plan.consumed(before: step)
      var within = [Int64](repeating: 0, count: counts.count + 1)
      for d in 0..<counts.count { within[d + 1] = within[d] + counts[d] }
      let slotPerm = permutation(Int(within[counts.count]), .mixtureSlots, UInt64(step))
      for j in slots {
        let q = Int64(slotPerm(UInt64(j)))
        var lo = 0, hi = counts.count  // the domain d with within[d] <= q < within[d+1]
        while hi - lo > 1 {
          let mid = (lo + hi) / 2
          if within[mid] <= q { lo = mid } else { hi = mid }
        }
        let d = lo
        let size = Int64(starts[d + 1] - starts[d])
        let (epoch, r) = (consumed[d] + q - within[d]).quotientAndRemainder(dividingBy: size)
        let perm = permutation(Int(size), .mixtureDomainEpoch, UInt64(d), UInt64(epoch))
        out[k] = Int64(members[starts[d] + Int(perm(UInt64(r)))])
        k += 1
      }
    }
  }

  /// Epochs of keyed permutations of `[0, size)`: offset o is
  /// `perm_{seed, o div size}(o mod size)`. Calls `body` per slot in order.
  @inline(__always)
  func walkEpochs(size: Int, stream: Stream, firstOffset: Int64, slots: Range<Int64>,
                  _ body: (Int) -> Void) throws(DataError) {
    let n = Int64(size)
    var epoch: Int64 = -1
    var perm = permutation(1, stream, 0)
    for j in slots {
      let (e, r) = (firstOffset + j).quotientAndRemainder(dividingBy: n)
      if e != epoch { epoch = e; perm = permutation(size, stream, UInt64(e)) }
      body(Int(perm(UInt64(r))))
    }
  }
}
