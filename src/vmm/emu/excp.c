/* Exceptions and interrupts: the longjmp escape out of a handler, and
 * delivery through the real-mode IVT, 32-bit gates, or 64-bit gates (with
 * IST). Double and triple faults are decided by the run loop (engine.c). */
#include "vmm/emu/cpu.h"

#include <stdarg.h>
#include <stdio.h>

_Noreturn void emu_raise(struct emu_cpu *c, int vec, uint32_t err, bool has_err)
{
	c->exc_vec = vec;
	c->exc_err = err;
	c->exc_has_err = has_err;
	longjmp(c->jb, 1);
}

_Noreturn void emu_fatal(struct emu_cpu *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
	c->error = 1;
	longjmp(c->jb, 2);
}

static void sys_write(struct emu_cpu *c, uint64_t lin, uint64_t v, unsigned sz)
{
	mmu_write_buf(c, lin & c->lin_mask, &v, sz, ACC_W | ACC_SYS);
}

static uint64_t sys_read(struct emu_cpu *c, uint64_t lin, unsigned sz)
{
	uint64_t v = 0;
	mmu_read_buf(c, lin & c->lin_mask, &v, sz, ACC_R | ACC_SYS);
	return v;
}

static void deliver_real(struct emu_cpu *c, unsigned vec, uint64_t ret_rip)
{
	if (vec * 4 + 3 > c->idt.limit)
		emu_gp(c, vec * 8 + 2);
	uint32_t ent = (uint32_t)sys_read(c, c->idt.base + vec * 4, 4);
	uint64_t f = flags_get(c);
	push(c, 2, f);
	push(c, 2, c->seg[S_CS].selector);
	push(c, 2, ret_rip);
	flags_set(c, f & ~(uint64_t)(F_IF | F_TF | F_AC | F_RF));
	seg_load_real(c, S_CS, ent >> 16);
	c->rip = c->next_rip = ent & 0xffff;
}

static void deliver_prot(struct emu_cpu *c, unsigned vec, bool soft, bool has_err, uint32_t err,
			 uint64_t ret_rip, unsigned ext)
{
	bool lm = c->efer & EFER_LMA;
	unsigned gsz = lm ? 16 : 8;
	uint32_t gerr = vec * 8 + 2 + ext;
	if (vec * gsz + gsz - 1 > c->idt.limit)
		emu_gp(c, gerr);
	uint64_t lo = sys_read(c, c->idt.base + vec * gsz, 8);
	uint64_t hi = lm ? sys_read(c, c->idt.base + vec * gsz + 8, 8) : 0;
	unsigned type = (lo >> 40) & 0xf, gdpl = (lo >> 45) & 3;
	bool gate32 = type == 0xe || type == 0xf, gate16 = type == 6 || type == 7;
	bool task_gate = type == 5 && !lm;
	if (((lm || !task_gate) && !gate32 && !gate16) || (lm && !gate32) || ((lo >> 44) & 1))
		emu_gp(c, gerr);
	if (soft && gdpl < c->cpl)
		emu_gp(c, gerr);
	if (!((lo >> 47) & 1))
		emu_raise(c, EX_NP, gerr, true);
	if (task_gate) {
		task_switch_gate(c, (uint16_t)(lo >> 16), ret_rip, ext, has_err, err);
		return;
	}
	uint16_t sel = (uint16_t)(lo >> 16);
	uint64_t off = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ULL);
	if (lm)
		off |= (hi & 0xffffffffULL) << 32;
	unsigned ist = lm ? (lo >> 32) & 7 : 0;
	bool trap = type & 1;

	uint64_t clo, chi;
	if ((sel & ~3u) == 0)
		emu_gp(c, ext);
	if (!desc_read(c, sel, &clo, &chi, false))
		emu_gp(c, (sel & 0xfffc) + ext);
	unsigned cdpl = (clo >> 45) & 3;
	bool code = ((clo >> 43) & 1) && ((clo >> 44) & 1);
	bool conforming = (clo >> 42) & 1;
	if (!code || cdpl > c->cpl)
		emu_gp(c, (sel & 0xfffc) + ext);
	bool v86 = c->flags & F_VM;
	if (v86 && (cdpl != 0 || conforming || !gate32))
		emu_gp(c, (sel & 0xfffc) + ext);  /* leaving v8086 mode needs a ring-0 32-bit handler */
	if (!lm) {
		struct kvm_segment t;
		desc_to_seg(&t, sel, clo, 0);
		if ((gate32 ? off : off & 0xffff) > t.limit)
			emu_gp(c, ext);
	}
	if (!((clo >> 47) & 1))
		emu_raise(c, EX_NP, (sel & 0xfffc) + ext, true);
	if (lm && !(((clo >> 53) & 1) && !((clo >> 54) & 1)))
		emu_gp(c, (sel & 0xfffc) + ext);

	unsigned new_cpl = conforming ? c->cpl : cdpl;
	uint64_t f = flags_get(c);
	uint64_t old_ss = c->seg[S_SS].selector, old_sp = c->r[R_SP];
	uint16_t old_cs = c->seg[S_CS].selector;
	unsigned psz = lm ? 8 : (gate32 ? 4 : 2);

	if (lm) {
		uint64_t sp;
		if (ist || new_cpl != c->cpl) {
			if (c->tr.limit < 0x67)
				emu_raise(c, EX_TS, c->tr.selector & 0xfffc, true);
			sp = ist ? sys_read(c, c->tr.base + 0x24 + (ist - 1) * 8, 8)
				 : sys_read(c, c->tr.base + 4 + new_cpl * 8, 8);
		} else {
			sp = old_sp;
		}
		sp &= ~0xfULL;
		uint64_t frame[6];
		unsigned n = 0;
		if (has_err)
			frame[n++] = err;
		frame[n++] = ret_rip;
		frame[n++] = old_cs;
		frame[n++] = f;
		frame[n++] = old_sp;
		frame[n++] = old_ss;
		sp -= n * 8;
		if ((uint64_t)((int64_t)(sp << 16) >> 16) != sp)
			emu_raise(c, EX_SS, 0, true);
		/* the stack writes are the only faults left: do them before committing */
		mmu_write_buf(c, sp, frame, n * 8, ACC_W | ACC_SYS);
		desc_set_accessed(c, sel, clo);
		desc_to_seg(&c->seg[S_CS], (sel & ~3u) | new_cpl, clo | (1ULL << 40), 0);
		if (new_cpl != c->cpl) {
			seg_null(&c->seg[S_SS], new_cpl);
			c->seg[S_SS].dpl = new_cpl;
			c->seg[S_SS].db = 1;
		}
		seg_set_cpl(c, new_cpl);
		c->r[R_SP] = sp;
	} else {
		uint64_t sp, ssbase;
		uint16_t nss = c->seg[S_SS].selector;
		uint64_t slo = 0, shi;
		bool inner = new_cpl < c->cpl;
		unsigned ssz;
		struct kvm_segment tmp = c->seg[S_SS];
		if (inner) {
			if (c->tr.limit < ((c->tr.type & 8) ? 11u + new_cpl * 8 : 5u + new_cpl * 4))
				emu_raise(c, EX_TS, (c->tr.selector & 0xfffc) + ext, true);
			if (c->tr.type & 8) {
				sp = sys_read(c, c->tr.base + 4 + new_cpl * 8, 4);
				nss = (uint16_t)sys_read(c, c->tr.base + 8 + new_cpl * 8, 2);
			} else {
				sp = sys_read(c, c->tr.base + 2 + new_cpl * 4, 2);
				nss = (uint16_t)sys_read(c, c->tr.base + 4 + new_cpl * 4, 2);
			}
			if ((nss & ~3u) == 0 || !desc_read(c, nss, &slo, &shi, false) || (nss & 3) != new_cpl ||
			    ((slo >> 45) & 3) != new_cpl || !((slo >> 44) & 1) || ((slo >> 43) & 1) || !((slo >> 41) & 1))
				emu_raise(c, EX_TS, (nss & 0xfffc) + ext, true);
			if (!((slo >> 47) & 1))
				emu_raise(c, EX_SS, (nss & 0xfffc) + ext, true);
			desc_to_seg(&tmp, nss, slo, 0);
			ssbase = tmp.base;
			ssz = tmp.db ? 4 : 2;
		} else {
			sp = old_sp;
			ssbase = c->seg[S_SS].base;
			ssz = c->stack_size;
		}
		uint64_t frame[10];
		unsigned n = 0;
		if (has_err)
			frame[n++] = err;
		frame[n++] = ret_rip;
		frame[n++] = old_cs;
		frame[n++] = f;
		if (inner) {
			frame[n++] = old_sp;
			frame[n++] = old_ss;
		}
		if (v86) {
			frame[n++] = c->seg[S_ES].selector;
			frame[n++] = c->seg[S_DS].selector;
			frame[n++] = c->seg[S_FS].selector;
			frame[n++] = c->seg[S_GS].selector;
		}
		uint64_t spm = ssz == 4 ? 0xffffffffULL : 0xffffULL;
		uint64_t nsp = (sp - n * psz) & spm;
		/* no room on the stack: #SS(0) on the same level, #SS(new SS) on a switch */
		for (unsigned k = 0; k < n; k++)
			if (!seg_room(&tmp, (nsp + k * psz) & spm, psz))
				emu_raise(c, EX_SS, inner ? (nss & 0xfffc) + ext : ext, true);
		for (unsigned k = 0; k < n; k++)
			sys_write(c, ssbase + ((nsp + k * psz) & spm), frame[k], psz);
		desc_set_accessed(c, sel, clo);
		if (inner) {
			desc_set_accessed(c, nss, slo);
			desc_to_seg(&c->seg[S_SS], nss, slo | (1ULL << 40), 0);
		}
		desc_to_seg(&c->seg[S_CS], (sel & ~3u) | new_cpl, clo | (1ULL << 40), 0);
		seg_set_cpl(c, new_cpl);
		c->r[R_SP] = (c->r[R_SP] & ~spm) | nsp;
		if (v86) {
			static const unsigned data[] = {S_ES, S_DS, S_FS, S_GS};
			for (unsigned k = 0; k < 4; k++)
				seg_null(&c->seg[data[k]], 0);
		}
		if (!gate32)
			off &= 0xffff;
	}
	f &= ~(uint64_t)(F_TF | F_NT | F_RF | F_VM);
	if (!trap)
		f &= ~(uint64_t)F_IF;
	flags_set(c, f);
	cpu_update_mode(c);
	c->rip = c->next_rip = off;
}

void intr_deliver(struct emu_cpu *c, unsigned vec, bool soft, bool has_err, uint32_t err, uint64_t ret_rip)
{
	c->halted = false;
	if (c->mode == MODE_REAL)
		deliver_real(c, vec, ret_rip);
	else
		deliver_prot(c, vec, soft, has_err, err, ret_rip, soft ? 0 : (c->exc_depth ? 1 : 0));
}
