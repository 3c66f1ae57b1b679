/* Test harness for the emu engine: a bare `struct machine` (guest RAM and
 * a deterministic clock, nothing else) plus recording test doubles of the
 * machine_* functions the engine calls, and helpers that build a flat
 * 64-bit (or real/protected mode) CPU state. */
#ifndef TANDEM_TESTS_EMU_HARNESS_H
#define TANDEM_TESTS_EMU_HARNESS_H

#include "vmm/engine.h"
#include "vmm/machine.h"

#include <stdint.h>

struct th {
	struct machine m;
	struct engine_vcpu *v;
	struct cpu_state st;
};

/* I/O recorded by the doubles */
extern uint16_t th_last_port;
extern uint64_t th_last_out;
extern unsigned th_pio_count;
extern int th_irq_vector;      /* pending external interrupt vector, -1 none */
/* Called on every OUT when set (a test's device double, e.g. DMA into RAM);
 * th_init clears it. */
extern void (*th_pio_hook)(struct machine *m, uint16_t port, uint64_t value);

void th_init(struct th *t, uint64_t ram);
void th_fini(struct th *t);
/* Flat 64-bit CPL0 state: identity map of the first 1 GiB at 0x1000 (2M pages),
 * GDT at 0x500 (0x08 code64, 0x10 data, 0x18 code32, 0x23 user data, 0x2b user code64),
 * IDT base 0 limit 0 unless set. */
void th_long_mode(struct th *t, uint64_t rip, uint64_t rsp);
/* Real mode at 0000:ip, like a boot sector. */
void th_real_mode(struct th *t, uint16_t ip);
void th_load(struct th *t, uint64_t gpa, const void *bytes, size_t n);
void *th_ptr(struct th *t, uint64_t gpa);
/* set_state from t->st, run until HLT/error/shutdown (max insns), get_state into t->st */
enum vcpu_exit_reason th_run(struct th *t, uint64_t max);

#endif
