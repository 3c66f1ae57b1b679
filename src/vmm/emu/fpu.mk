# x87 / SSE / SSE2 / FXSAVE semantics (src/vmm/emu/fpu*, simd*): owned by the fpu work.
