/* String instructions with REP/REPE/REPNE. A REP instruction runs a bounded
 * chunk per execution and re-executes itself (next_rip = rip) until done,
 * so interrupts are taken between chunks and every register update is
 * committed per element (precise faults). REP MOVS/STOS with DF=0 copy
 * whole page-bounded chunks through host pointers. */
#include "vmm/emu/ops.h"

#define REP_CHUNK 4096u

static inline uint64_t areg(const struct emu_cpu *c, unsigned r, unsigned asz)
{
	return c->r[r] & size_mask(asz);
}

static inline void aset(struct emu_cpu *c, unsigned r, unsigned asz, uint64_t v)
{
	if (asz == 2)
		c->r[r] = (c->r[r] & ~0xffffULL) | (v & 0xffff);
	else
		c->r[r] = v & size_mask(asz);
}

static inline int64_t step(struct emu_cpu *c, unsigned sz)
{
	return (c->flags & F_DF) ? -(int64_t)sz : (int64_t)sz;
}

/* Finishes one pass: if REP and elements remain, run this instruction again. */
static inline void rep_again(struct emu_cpu *c, const struct insn *i, bool more)
{
	if (more)
		c->next_rip = c->rip;
}

void op_movs(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz, asz = i->asz;
	uint64_t cnt = i->rep ? areg(c, R_CX, asz) : 1;
	if (cnt == 0)
		return;
	uint64_t n = cnt < REP_CHUNK ? cnt : REP_CHUNK;
	if (i->rep && !(c->flags & F_DF) && !(c->seg_chk & ((1u << i->seg) | (1u << S_ES)))) {
		uint64_t s = seg_lin(c, i->seg, areg(c, R_SI, asz)), d = seg_lin(c, S_ES, areg(c, R_DI, asz));
		uint64_t room_s = (4096 - (s & 0xfff)) / sz, room_d = (4096 - (d & 0xfff)) / sz;
		uint64_t k = n < room_s ? n : room_s;
		k = k < room_d ? k : room_d;
		if (k > 1 && asz != 2) {
			uint8_t *ps = mmu_host_span(c, s, (unsigned)(k * sz), false);
			uint8_t *pd = ps ? mmu_host_span(c, d, (unsigned)(k * sz), true) : NULL;
			if (ps && pd) {
				if (pd > ps && pd < ps + k * sz) {
					/* overlapping forward copy: element by element, each read
					 * whole before it is written, as the CPU does */
					for (uint64_t e = 0; e < k; e++) {
						uint64_t t;
						memcpy(&t, ps + e * sz, sz);
						memcpy(pd + e * sz, &t, sz);
					}
				} else {
					memmove(pd, ps, k * sz);
				}
				aset(c, R_SI, asz, areg(c, R_SI, asz) + k * sz);
				aset(c, R_DI, asz, areg(c, R_DI, asz) + k * sz);
				aset(c, R_CX, asz, cnt - k);
				rep_again(c, i, cnt - k != 0);
				return;
			}
		}
	}
	int64_t st = step(c, sz);
	for (uint64_t e = 0; e < n; e++) {
		uint64_t v = mem_read(c, seg_addr(c, i->seg, areg(c, R_SI, asz), sz, ACC_R), sz);
		mem_write(c, seg_addr(c, S_ES, areg(c, R_DI, asz), sz, ACC_W), sz, v);
		aset(c, R_SI, asz, areg(c, R_SI, asz) + (uint64_t)st);
		aset(c, R_DI, asz, areg(c, R_DI, asz) + (uint64_t)st);
		if (i->rep)
			aset(c, R_CX, asz, cnt - e - 1);
	}
	if (i->rep)
		rep_again(c, i, cnt - n != 0);
}

void op_stos(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz, asz = i->asz;
	uint64_t cnt = i->rep ? areg(c, R_CX, asz) : 1;
	if (cnt == 0)
		return;
	uint64_t n = cnt < REP_CHUNK ? cnt : REP_CHUNK;
	uint64_t v = reg_get(c, R_AX, sz);
	if (i->rep && !(c->flags & F_DF) && asz != 2 && !(c->seg_chk & (1u << S_ES))) {
		uint64_t d = seg_lin(c, S_ES, areg(c, R_DI, asz));
		uint64_t room = (4096 - (d & 0xfff)) / sz;
		uint64_t k = n < room ? n : room;
		uint8_t *pd = k > 1 ? mmu_host_span(c, d, (unsigned)(k * sz), true) : NULL;
		if (pd) {
			/* all bytes equal (sz == 1, clearing a page with zeros): memset */
			if (v == ((v & 0xff) * 0x0101010101010101ULL & size_mask(sz)))
				memset(pd, (int)(v & 0xff), k * sz);
			else
				for (uint64_t e = 0; e < k; e++)
					memcpy(pd + e * sz, &v, sz);
			aset(c, R_DI, asz, areg(c, R_DI, asz) + k * sz);
			aset(c, R_CX, asz, cnt - k);
			rep_again(c, i, cnt - k != 0);
			return;
		}
	}
	int64_t st = step(c, sz);
	for (uint64_t e = 0; e < n; e++) {
		mem_write(c, seg_addr(c, S_ES, areg(c, R_DI, asz), sz, ACC_W), sz, v);
		aset(c, R_DI, asz, areg(c, R_DI, asz) + (uint64_t)st);
		if (i->rep)
			aset(c, R_CX, asz, cnt - e - 1);
	}
	if (i->rep)
		rep_again(c, i, cnt - n != 0);
}

void op_lods(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz, asz = i->asz;
	uint64_t cnt = i->rep ? areg(c, R_CX, asz) : 1;
	if (cnt == 0)
		return;
	uint64_t n = cnt < REP_CHUNK ? cnt : REP_CHUNK;
	int64_t st = step(c, sz);
	for (uint64_t e = 0; e < n; e++) {
		uint64_t v = mem_read(c, seg_addr(c, i->seg, areg(c, R_SI, asz), sz, ACC_R), sz);
		reg_set(c, R_AX, sz, v);
		aset(c, R_SI, asz, areg(c, R_SI, asz) + (uint64_t)st);
		if (i->rep)
			aset(c, R_CX, asz, cnt - e - 1);
	}
	if (i->rep)
		rep_again(c, i, cnt - n != 0);
}

/* CMPS/SCAS: REPE (F3) stops when ZF=0, REPNE (F2) when ZF=1. */
static void cmp_string(struct emu_cpu *c, const struct insn *i, bool scas)
{
	unsigned sz = i->osz, asz = i->asz;
	uint64_t cnt = i->rep ? areg(c, R_CX, asz) : 1;
	if (cnt == 0)
		return;
	uint64_t n = cnt < REP_CHUNK ? cnt : REP_CHUNK;
	int64_t st = step(c, sz);
	uint64_t e;
	bool stop = false;
	for (e = 0; e < n && !stop; e++) {
		uint64_t a, b;
		if (scas) {
			a = reg_get(c, R_AX, sz);
			b = mem_read(c, seg_addr(c, S_ES, areg(c, R_DI, asz), sz, ACC_R), sz);
		} else {
			a = mem_read(c, seg_addr(c, i->seg, areg(c, R_SI, asz), sz, ACC_R), sz);
			b = mem_read(c, seg_addr(c, S_ES, areg(c, R_DI, asz), sz, ACC_R), sz);
			aset(c, R_SI, asz, areg(c, R_SI, asz) + (uint64_t)st);
		}
		aset(c, R_DI, asz, areg(c, R_DI, asz) + (uint64_t)st);
		lf_set(c, LF_SUB, sz, a, b, a - b);
		if (i->rep) {
			aset(c, R_CX, asz, cnt - e - 1);
			bool eq = ((a - b) & size_mask(sz)) == 0;
			stop = i->rep == 0xf3 ? !eq : eq;
		}
	}
	if (i->rep)
		rep_again(c, i, !stop && cnt - e != 0);
}

void op_cmps(struct emu_cpu *c, const struct insn *i) { cmp_string(c, i, false); }
void op_scas(struct emu_cpu *c, const struct insn *i) { cmp_string(c, i, true); }

void op_ins(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz == 8 ? 4 : i->osz, asz = i->asz;
	uint16_t port = (uint16_t)c->r[R_DX];
	if (!io_allowed(c, port, sz))
		emu_gp(c, 0);
	uint64_t cnt = i->rep ? areg(c, R_CX, asz) : 1;
	if (cnt == 0)
		return;
	uint64_t n = cnt < 256 ? cnt : 256;
	int64_t st = step(c, sz);
	for (uint64_t e = 0; e < n; e++) {
		uint64_t lin = seg_addr(c, S_ES, areg(c, R_DI, asz), sz, ACC_W);
		mmu_probe_write(c, lin, sz);
		uint64_t v = io_in(c, port, sz);
		mem_write(c, lin, sz, v);
		aset(c, R_DI, asz, areg(c, R_DI, asz) + (uint64_t)st);
		if (i->rep)
			aset(c, R_CX, asz, cnt - e - 1);
	}
	if (i->rep)
		rep_again(c, i, cnt - n != 0);
}

void op_outs(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz == 8 ? 4 : i->osz, asz = i->asz;
	uint16_t port = (uint16_t)c->r[R_DX];
	if (!io_allowed(c, port, sz))
		emu_gp(c, 0);
	uint64_t cnt = i->rep ? areg(c, R_CX, asz) : 1;
	if (cnt == 0)
		return;
	uint64_t n = cnt < 256 ? cnt : 256;
	int64_t st = step(c, sz);
	for (uint64_t e = 0; e < n; e++) {
		uint64_t v = mem_read(c, seg_addr(c, i->seg, areg(c, R_SI, asz), sz, ACC_R), sz);
		io_out(c, port, sz, v);
		aset(c, R_SI, asz, areg(c, R_SI, asz) + (uint64_t)st);
		if (i->rep)
			aset(c, R_CX, asz, cnt - e - 1);
	}
	if (i->rep)
		rep_again(c, i, cnt - n != 0);
}
