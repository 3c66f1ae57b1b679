/* Hardware task switches (32-bit protected mode only; SDM vol. 3 ch. 7):
 * far JMP/CALL to a TSS or a task gate, interrupts and exceptions through
 * task gates, and IRET with EFLAGS.NT back to the task in the back link.
 * Everything that can fault before the switch (descriptor checks, both
 * TSSes readable/writable) is checked first; after the new state is
 * committed, a bad segment in the new task faults in the new task's
 * context (with #TS and friends), as on hardware. 32-bit and 16-bit
 * (286) TSSes, in any combination. */
#include "vmm/emu/cpu.h"

#define TSS32_MIN 0x67
#define TSS16_MIN 0x2b

static inline bool d_present(uint64_t lo) { return (lo >> 47) & 1; }
static inline unsigned d_dpl(uint64_t lo) { return (lo >> 45) & 3; }
static inline unsigned d_type(uint64_t lo) { return (lo >> 40) & 0xf; }
static inline bool d_seg(uint64_t lo) { return (lo >> 44) & 1; }
static inline bool d_code(uint64_t lo) { return (lo >> 43) & 1; }
static inline bool d_conf(uint64_t lo) { return (lo >> 42) & 1; }
static inline bool d_rw(uint64_t lo) { return (lo >> 41) & 1; }

static void tss_read(struct emu_cpu *c, uint64_t base, unsigned off, void *buf, unsigned len)
{
	mmu_read_buf(c, (base + off) & c->lin_mask, buf, len, ACC_R | ACC_SYS);
}

static void tss_write(struct emu_cpu *c, uint64_t base, unsigned off, const void *buf, unsigned len)
{
	mmu_write_buf(c, (base + off) & c->lin_mask, buf, len, ACC_W | ACC_SYS);
}

/* Sets or clears the busy bit of the TSS descriptor sel (always in the GDT). */
static void tss_set_busy(struct emu_cpu *c, uint16_t sel, bool busy)
{
	uint64_t at = (c->gdt.base + (sel & ~7u) + 5) & c->lin_mask;
	uint8_t b = 0;
	mmu_read_buf(c, at, &b, 1, ACC_R | ACC_SYS);
	b = busy ? (b | 2) : (b & ~2);
	mmu_write_buf(c, at, &b, 1, ACC_W | ACC_SYS);
}

/* Loads data segment register s of the new task (SDM 7.3 step 13 rules). */
static void task_load_data(struct emu_cpu *c, unsigned s, uint16_t sel)
{
	uint64_t lo, hi;
	uint32_t e = sel & 0xfffc;
	if ((sel & ~3u) == 0) {
		seg_null(&c->seg[s], sel);
		return;
	}
	if (!desc_read(c, sel, &lo, &hi, false) || !d_seg(lo) || (d_code(lo) && !d_rw(lo)))
		emu_raise(c, EX_TS, e, true);
	if (!(d_code(lo) && d_conf(lo)) && (d_dpl(lo) < c->cpl || d_dpl(lo) < (sel & 3u)))
		emu_raise(c, EX_TS, e, true);
	if (!d_present(lo))
		emu_raise(c, EX_NP, e, true);
	desc_set_accessed(c, sel, lo);
	desc_to_seg(&c->seg[s], sel, lo | (1ULL << 40), 0);
}

/* The new task's LDT, CS, SS and data segments, in the order hardware checks
 * them. The selectors are already in place (unusable) so that a fault here
 * leaves a state the handler can inspect. */
static void task_load_segments(struct emu_cpu *c, const uint16_t sel[6], uint16_t ldt)
{
	uint64_t lo, hi;
	if (c->flags & F_VM) {
		for (unsigned s = 0; s < 6; s++)
			v86_load_seg(c, s, sel[s]);
		seg_set_cpl(c, 3);
	}
	/* LDT */
	if ((ldt & ~3u) == 0) {
		seg_null(&c->ldt, ldt);
	} else {
		if ((ldt & 4) || !desc_read(c, ldt & ~4u, &lo, &hi, false) || d_seg(lo) || d_type(lo) != 2)
			emu_raise(c, EX_TS, ldt & 0xfffc, true);
		if (!d_present(lo))
			emu_raise(c, EX_TS, ldt & 0xfffc, true);
		desc_to_seg(&c->ldt, ldt, lo, 0);
	}
	if (c->flags & F_VM) {
		cpu_update_mode(c);
		return;
	}
	/* CS: its RPL is the new CPL */
	uint16_t cs = sel[S_CS];
	unsigned cpl = cs & 3;
	if ((cs & ~3u) == 0 || !desc_read(c, cs, &lo, &hi, false) || !d_seg(lo) || !d_code(lo))
		emu_raise(c, EX_TS, cs & 0xfffc, true);
	if (d_conf(lo) ? d_dpl(lo) > cpl : d_dpl(lo) != cpl)
		emu_raise(c, EX_TS, cs & 0xfffc, true);
	if (!d_present(lo))
		emu_raise(c, EX_NP, cs & 0xfffc, true);
	desc_set_accessed(c, cs, lo);
	desc_to_seg(&c->seg[S_CS], cs, lo | (1ULL << 40), 0);
	seg_set_cpl(c, cpl);
	/* SS */
	uint16_t ss = sel[S_SS];
	if ((ss & ~3u) == 0 || !desc_read(c, ss, &lo, &hi, false) || !d_seg(lo) || d_code(lo) || !d_rw(lo) ||
	    (ss & 3u) != cpl || d_dpl(lo) != cpl)
		emu_raise(c, EX_TS, ss & 0xfffc, true);
	if (!d_present(lo))
		emu_raise(c, EX_SS, ss & 0xfffc, true);
	desc_set_accessed(c, ss, lo);
	desc_to_seg(&c->seg[S_SS], ss, lo | (1ULL << 40), 0);
	static const unsigned data[] = {S_DS, S_ES, S_FS, S_GS};
	for (unsigned k = 0; k < 4; k++)
		task_load_data(c, data[k], sel[data[k]]);
	cpu_update_mode(c);
}

/* The state a TSS holds, in either format. */
struct tss_state {
	uint32_t eip, eflags, cr3, r[8];
	uint16_t sel[6], ldt;
	bool trap;         /* T: debug trap after switching to this task */
};

/* Reads the new task's state: a 32-bit TSS, or a 16-bit one (upper halves
 * of the registers 0xffff, of EIP/EFLAGS zero, FS/GS null, no CR3, as
 * Bochs does). */
static void tss_load_image(struct emu_cpu *c, uint64_t base, bool t32, struct tss_state *st)
{
	if (t32) {
		uint32_t img[26];
		tss_read(c, base, 0, img, sizeof(img));
		st->cr3 = img[7];
		st->eip = img[8];
		st->eflags = img[9];
		for (unsigned r = 0; r < 8; r++)
			st->r[r] = img[10 + r];
		for (unsigned s = 0; s < 6; s++)
			st->sel[s] = (uint16_t)img[18 + s];
		st->ldt = (uint16_t)img[24];
		st->trap = img[25] & 1;
		return;
	}
	uint16_t img[22];
	tss_read(c, base, 0, img, sizeof(img));
	st->cr3 = 0;
	st->eip = img[7];
	st->eflags = img[8];
	for (unsigned r = 0; r < 8; r++)
		st->r[r] = 0xffff0000u | img[9 + r];
	st->sel[S_ES] = img[17];
	st->sel[S_CS] = img[18];
	st->sel[S_SS] = img[19];
	st->sel[S_DS] = img[20];
	st->sel[S_FS] = st->sel[S_GS] = 0;
	st->ldt = img[21];
	st->trap = false;
}

/* Stores the outgoing task's dynamic state (EIP, EFLAGS, registers,
 * selectors) into its TSS. */
static void tss_store_image(struct emu_cpu *c, uint64_t base, bool t32, uint32_t eip, uint32_t eflags)
{
	if (t32) {
		uint32_t save[16];
		save[0] = eip;
		save[1] = eflags;
		for (unsigned r = 0; r < 8; r++)
			save[2 + r] = (uint32_t)c->r[r];
		for (unsigned s = 0; s < 6; s++)
			save[10 + s] = c->seg[s].selector;
		tss_write(c, base, 0x20, save, sizeof(save));
		return;
	}
	uint16_t save[14];
	save[0] = (uint16_t)eip;
	save[1] = (uint16_t)eflags;
	for (unsigned r = 0; r < 8; r++)
		save[2 + r] = (uint16_t)c->r[r];
	save[10] = c->seg[S_ES].selector;
	save[11] = c->seg[S_CS].selector;
	save[12] = c->seg[S_SS].selector;
	save[13] = c->seg[S_DS].selector;
	tss_write(c, base, 0x0e, save, sizeof(save));
}

/* The switch itself: sel/lo name the new TSS (already checked for
 * privilege), ret_rip is the EIP saved in the old task. Returns whether
 * the new TSS asks for a debug trap (T), which the caller raises once the
 * switch is complete. */
static bool task_switch(struct emu_cpu *c, uint16_t sel, uint64_t lo, enum task_reason why, uint64_t ret_rip,
			uint32_t ext)
{
	uint32_t e = (sel & 0xfffc) | ext;
	unsigned type = d_type(lo);
	bool t32 = type & 8;
	if (!d_present(lo))
		emu_raise(c, EX_NP, e, true);
	struct kvm_segment nt;
	desc_to_seg(&nt, sel, lo, 0);
	if (nt.limit < (t32 ? TSS32_MIN : TSS16_MIN))
		emu_raise(c, EX_TS, e, true);
	bool busy = type & 2;
	if (why == TASK_IRET ? !busy : busy)
		emu_raise(c, why == TASK_IRET ? EX_TS : EX_GP, e, true);
	bool old32 = c->tr.type & 8;
	if (c->tr.unusable || (c->tr.type & 5) != 1 || c->tr.limit < (old32 ? TSS32_MIN : TSS16_MIN))
		emu_raise(c, EX_TS, (c->tr.selector & 0xfffc) | ext, true);

	/* read the new task's state; make sure the old TSS can take ours */
	struct tss_state st;
	tss_load_image(c, nt.base, t32, &st);
	mmu_probe_write(c, (c->tr.base + (old32 ? 0x20 : 0x0e)) & c->lin_mask, old32 ? 0x40 : 0x1c);
	if (why == TASK_CALL || why == TASK_INT)
		mmu_probe_write(c, nt.base & c->lin_mask, 2);

	/* save the old task */
	uint64_t f = flags_get(c);
	if (why == TASK_IRET)
		f &= ~(uint64_t)F_NT;
	tss_store_image(c, c->tr.base, old32, (uint32_t)ret_rip, (uint32_t)f);
	uint16_t old_tr = c->tr.selector;
	if (why == TASK_JMP || why == TASK_IRET)
		tss_set_busy(c, old_tr, false);
	if (why == TASK_CALL || why == TASK_INT) {
		uint16_t link = old_tr;
		tss_write(c, nt.base, 0, &link, 2);
	}
	if (why != TASK_IRET)
		tss_set_busy(c, sel, true);

	/* commit: TR, CR0.TS, CR3, registers, EFLAGS, EIP */
	nt.type = t32 ? 0xb : 3;
	nt.s = 0;
	c->tr = nt;
	c->cr0 |= CR0_TS;
	if (t32 && (c->cr0 & CR0_PG))
		cr_write(c, 3, st.cr3);
	uint64_t nf = st.eflags | 2;
	if (why == TASK_CALL || why == TASK_INT)
		nf |= F_NT;
	for (unsigned r = 0; r < 8; r++)
		c->r[r] = st.r[r];
	flags_set(c, nf);
	c->rip = c->next_rip = st.eip;
	for (unsigned s = 0; s < 6; s++)
		seg_null(&c->seg[s], st.sel[s]);
	/* CS stays usable for the mode computation until it is loaded */
	c->seg[S_CS].unusable = 0;
	c->seg[S_CS].db = 1;
	c->seg[S_CS].s = 1;
	c->seg[S_CS].type = 0xb;
	c->seg[S_CS].present = 1;
	c->seg[S_CS].limit = 0xffffffff;
	c->seg[S_SS].db = 1;
	c->ldt.selector = st.ldt;
	c->ldt.unusable = 1;
	cpu_update_mode(c);
	c->events = 1;
	task_load_segments(c, st.sel, st.ldt);
	if (c->rip > c->seg[S_CS].limit)
		emu_gp(c, 0);
	return st.trap;
}

/* The T bit of the new TSS: #DB with DR6.BT, a trap in the new task. */
static void task_trap(struct emu_cpu *c, bool trap)
{
	if (trap) {
		c->dr[6] |= 0x8000;
		emu_raise(c, EX_DB, 0, false);
	}
}

void task_switch_far(struct emu_cpu *c, uint16_t sel, uint64_t lo, enum task_reason why)
{
	unsigned rpl = sel & 3;
	if (d_dpl(lo) < c->cpl || d_dpl(lo) < rpl)
		emu_gp(c, sel & 0xfffc);
	if (d_type(lo) == 5) {
		/* task gate: the TSS selector is in the gate and must be in the GDT */
		if (!d_present(lo))
			emu_raise(c, EX_NP, sel & 0xfffc, true);
		uint16_t tsel = (uint16_t)(lo >> 16);
		uint64_t tlo, thi;
		if ((tsel & 4) || !desc_read(c, tsel, &tlo, &thi, false))
			emu_gp(c, tsel & 0xfffc);
		if (d_seg(tlo) || (d_type(tlo) != 9 && d_type(tlo) != 1))
			emu_gp(c, tsel & 0xfffc);
		task_trap(c, task_switch(c, tsel, tlo, why, c->next_rip, 0));
		return;
	}
	if (sel & 4)
		emu_gp(c, sel & 0xfffc);  /* TSS descriptors live in the GDT */
	task_trap(c, task_switch(c, sel, lo, why, c->next_rip, 0));
}

void task_switch_gate(struct emu_cpu *c, uint16_t tsel, uint64_t ret_rip, uint32_t ext, bool has_err, uint32_t err)
{
	uint64_t lo, hi;
	if ((tsel & 4) || !desc_read(c, tsel, &lo, &hi, false))
		emu_raise(c, EX_GP, (tsel & 0xfffc) | ext, true);
	if (d_seg(lo) || (d_type(lo) != 9 && d_type(lo) != 1))
		emu_raise(c, EX_GP, (tsel & 0xfffc) | ext, true);
	bool trap = task_switch(c, tsel, lo, TASK_INT, ret_rip, ext);
	if (has_err) {
		/* the error code goes on the new task's stack, as wide as its TSS */
		push(c, (c->tr.type & 8) ? 4 : 2, err);
	}
	task_trap(c, trap);
}

void task_return(struct emu_cpu *c)
{
	uint16_t link = 0;
	tss_read(c, c->tr.base, 0, &link, 2);
	uint64_t lo, hi;
	if ((link & 4) || !desc_read(c, link, &lo, &hi, false))
		emu_raise(c, EX_TS, link & 0xfffc, true);
	if (d_seg(lo) || (d_type(lo) != 0xb && d_type(lo) != 3))
		emu_raise(c, EX_TS, link & 0xfffc, true);
	task_trap(c, task_switch(c, link, lo, TASK_IRET, c->next_rip, 0));
}
