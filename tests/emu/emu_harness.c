/* See emu_harness.h. */
#include "emu_harness.h"

#include <string.h>

uint16_t th_last_port;
uint64_t th_last_out;
unsigned th_pio_count;
int th_irq_vector = -1;
void (*th_pio_hook)(struct machine *m, uint16_t port, uint64_t value);

void machine_pio(struct machine *m, unsigned cpu, uint16_t port, void *data, unsigned len, bool is_write)
{
	th_pio_count++;
	th_last_port = port;
	if (is_write) {
		th_last_out = 0;
		memcpy(&th_last_out, data, len);
		if (th_pio_hook)
			th_pio_hook(m, port, th_last_out);
	} else {
		memset(data, 0xff, len);
	}
}

void machine_mmio(struct machine *m, unsigned cpu, uint64_t addr, void *data, unsigned len, bool is_write)
{
	if (!is_write)
		memset(data, 0xff, len);
}

bool machine_irq_pending(struct machine *m, unsigned cpu) { return th_irq_vector >= 0; }

int machine_irq_ack(struct machine *m, unsigned cpu)
{
	int v = th_irq_vector;
	th_irq_vector = -1;
	return v;
}

bool machine_nmi_pending(struct machine *m, unsigned cpu) { return false; }

bool machine_lapic_msr(struct machine *m, unsigned cpu, uint32_t index, uint64_t *value, bool is_write)
{
	if (index == 0x1b && !is_write) {
		*value = 0xfee00900;
		return true;
	}
	return index == 0x1b;
}

void th_init(struct th *t, uint64_t ram)
{
	memset(t, 0, sizeof(*t));
	GError *err = NULL;
	vclock_init(&t->m.clock, VCLOCK_DETERMINISTIC);
	g_assert_true(guest_mem_init(&t->m.mem, ram, &err));
	g_assert_true(engine_emu.vm_init(&t->m, &err));
	t->v = engine_emu.vcpu_create(&t->m, 0, &err);
	g_assert_nonnull(t->v);
	th_irq_vector = -1;
	th_pio_hook = NULL;
}

void th_fini(struct th *t)
{
	engine_emu.vcpu_destroy(t->v);
	engine_emu.vm_destroy(&t->m);
	guest_mem_destroy(&t->m.mem);
}

void *th_ptr(struct th *t, uint64_t gpa)
{
	return t->m.mem.base + gpa;
}

void th_load(struct th *t, uint64_t gpa, const void *bytes, size_t n)
{
	g_assert_true(guest_mem_write(&t->m.mem, gpa, bytes, n));
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool l, unsigned dpl)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->dpl = dpl;
	s->l = l;
	s->db = !l;
}

void th_long_mode(struct th *t, uint64_t rip, uint64_t rsp)
{
	uint64_t gdt[8] = {0,
			   0x00af9b000000ffffULL,  /* 0x08 code64 */
			   0x00cf93000000ffffULL,  /* 0x10 data */
			   0x00cf9b000000ffffULL,  /* 0x18 code32 */
			   0x00cff3000000ffffULL,  /* 0x20 user data (0x23) */
			   0x00affb000000ffffULL,  /* 0x28 user code64 (0x2b) */
			   0, 0};
	th_load(t, 0x500, gdt, sizeof(gdt));
	uint64_t pml4 = 0x1000 | 7, pdpt = 0x2000 | 7;
	th_load(t, 0x1000, &pdpt, 8);
	uint64_t z = 0;
	for (unsigned k = 1; k < 512; k++)
		th_load(t, 0x1000 + k * 8, &z, 8);
	for (unsigned k = 0; k < 512; k++) {
		uint64_t e = k == 0 ? 0x3000 | 7 : 0;
		th_load(t, 0x2000 + k * 8, &e, 8);
	}
	for (unsigned k = 0; k < 512; k++) {
		uint64_t e = ((uint64_t)k << 21) | 0x87;  /* 2M, user, rw, present */
		th_load(t, 0x3000 + k * 8, &e, 8);
	}
	(void)pml4;
	struct cpu_state *s = &t->st;
	memset(s, 0, sizeof(*s));
	seg(&s->sregs.cs, 0x08, 0xb, true, 0);
	seg(&s->sregs.ds, 0x10, 3, false, 0);
	s->sregs.es = s->sregs.ss = s->sregs.fs = s->sregs.gs = s->sregs.ds;
	s->sregs.tr.type = 0xb;
	s->sregs.tr.present = 1;
	s->sregs.tr.limit = 0x67;
	s->sregs.ldt.unusable = 1;
	s->sregs.gdt.base = 0x500;
	s->sregs.gdt.limit = sizeof(gdt) - 1;
	s->sregs.cr0 = 0x80050033;  /* PG WP NE ET MP PE */
	s->sregs.cr3 = 0x1000;
	s->sregs.cr4 = 0x6a0;       /* PAE PGE OSFXSR OSXMMEXCPT */
	s->sregs.efer = 0xd01;      /* SCE LME LMA NXE */
	s->regs.rip = rip;
	s->regs.rsp = rsp;
	s->regs.rflags = 2;
	s->fpu.fcw = 0x37f;
	s->fpu.mxcsr = 0x1f80;
}

enum vcpu_exit_reason th_run(struct th *t, uint64_t max)
{
	GError *err = NULL;
	struct vcpu_exit ex;
	g_assert_true(engine_emu.set_state(t->v, &t->st, &err));
	enum vcpu_exit_reason r = VCPU_EXIT_SLICE;
	uint64_t start = engine_emu.instructions(t->v);
	while (engine_emu.instructions(t->v) - start < max) {
		r = engine_emu.run(t->v, max, &ex);
		if (r != VCPU_EXIT_SLICE)
			break;
	}
	if (r == VCPU_EXIT_ERROR)
		g_test_message("emu error: %s", ex.error);
	g_assert_true(engine_emu.get_state(t->v, &t->st, &err));
	return r;
}

void th_real_mode(struct th *t, uint16_t ip)
{
	struct cpu_state *s = &t->st;
	memset(s, 0, sizeof(*s));
	struct kvm_segment *segs[6] = {&s->sregs.cs, &s->sregs.ds, &s->sregs.es, &s->sregs.ss, &s->sregs.fs,
				       &s->sregs.gs};
	for (unsigned k = 0; k < 6; k++) {
		segs[k]->limit = 0xffff;
		segs[k]->present = 1;
		segs[k]->s = 1;
		segs[k]->type = k == 0 ? 0xb : 3;
	}
	s->sregs.tr.type = 0xb;
	s->sregs.tr.present = 1;
	s->sregs.tr.limit = 0xffff;
	s->sregs.ldt.type = 2;
	s->sregs.ldt.present = 1;
	s->sregs.ldt.limit = 0xffff;
	s->sregs.idt.limit = 0x3ff;
	s->sregs.gdt.limit = 0xffff;
	s->sregs.cr0 = 0x60000010;
	s->regs.rip = ip;
	s->regs.rflags = 2;
	s->fpu.fcw = 0x37f;
	s->fpu.mxcsr = 0x1f80;
}
