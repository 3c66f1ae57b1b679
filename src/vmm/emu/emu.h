/* The emu engine (engine_emu in engine.h): an x86-64 full-system
 * interpreter. This header adds what only the emulator offers: cheap
 * counters for `tandem run --stats`.
 *
 * Debugging: TANDEM_EMU_TRACE_EXC=1 prints every exception the engine
 * delivers (vector, error code, CS:RIP, CR2) on stderr; TANDEM_EMU_TRACE_UD=1
 * prints the bytes at every #UD. tests/emu/emu-boot boots a kernel on the
 * engine alone (no devices); with devices, use
 * `tandem run --clock deterministic --stats`. */
#ifndef TANDEM_EMU_H
#define TANDEM_EMU_H

#include <stdint.h>

struct engine_vcpu;

struct emu_stats {
	uint64_t instructions;     /* retired */
	uint64_t exceptions;       /* delivered through the IDT/IVT (incl. INT n) */
	uint64_t interrupts;       /* external interrupts delivered */
	uint64_t tlb_flushes;      /* whole-TLB flushes (CR3/CR0/CR4 writes) */
	uint64_t tlb_misses;       /* page walks */
	uint64_t code_invalidations; /* decoded instructions found rewritten */
	uint64_t decodes;          /* instructions decoded (block-cache misses) */
	uint64_t blocks;           /* decoded blocks entered */
	uint64_t block_flushes;    /* block arena full: everything decoded again */
	uint64_t code_writes;      /* CPU stores that hit a page holding decoded code */
	uint64_t code_pages;       /* pages (re)marked as code (write tags dropped) */
	uint64_t code_rechecks;    /* blocks compared with guest bytes (page written or I/O since) */
};

/* Counters of one vCPU; v must belong to the emu engine. */
void emu_get_stats(struct engine_vcpu *v, struct emu_stats *out);

#endif
