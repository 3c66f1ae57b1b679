/* Segment limit and type checks on data, stack and code accesses outside
 * 64-bit mode (SDM vol. 3 5.3, 5.5). Which segments need a check at all is
 * decided when a segment or the mode changes (seg_update_chk): flat
 * writable 4 GiB data segments and everything in 64-bit mode need none, so
 * the per-access cost there is one predictable branch (seg_addr in cpu.h).
 * Faults: #SS(0) for SS, #GP(0) otherwise.
 *
 * Cost in 64-bit code (callgrind, tests/emu/emu-boot on the cloud kernel,
 * first 50 M guest instructions): run_loop 4.520 G host instructions
 * without the checks, 4.611 G with them (+2.0 %, about 1.8 host
 * instructions per guest instruction: the bit test per access, the fetch
 * test per block, the target test per near branch). A first version that
 * called the check out of line cost +3.3 %: every handler then saved
 * callee-saved registers on its fast path. */
#include "vmm/emu/cpu.h"

static bool seg_is_flat_data(const struct kvm_segment *s)
{
	return !s->unusable && s->present && s->s && !(s->type & 8) && (s->type & 2) && !(s->type & 4) &&
	       s->limit == 0xffffffffu;
}

/* The offsets and accesses segment s allows (SDM vol. 3 5.3, 5.4): real and
 * virtual-8086 mode only limit, protected and compatibility mode also the
 * type (read-only data, execute-only and never-writable code, null). */
static void seg_range_of(const struct emu_cpu *c, unsigned s, struct seg_range *r)
{
	const struct kvm_segment *sg = &c->seg[s];
	r->lo = 0;
	r->hi = sg->limit;
	r->r = r->w = true;
	if (c->mode == MODE_REAL || (c->flags & F_VM))
		return;
	if (sg->unusable) {
		r->r = r->w = false;
	} else if (sg->type & 8) {
		r->w = false;
		r->r = sg->type & 2;
	} else {
		r->w = sg->type & 2;
		if (sg->type & 4) {
			/* expand-down: valid offsets are (limit, 64K or 4G) */
			r->lo = (uint64_t)sg->limit + 1;
			r->hi = sg->db ? 0xffffffffu : 0xffffu;
		}
	}
}

void seg_update_chk(struct emu_cpu *c)
{
	uint32_t m = 0;
	if (c->code_size != 8) {
		bool realish = c->mode == MODE_REAL || (c->flags & F_VM);
		for (unsigned s = 0; s < 6; s++) {
			const struct kvm_segment *sg = &c->seg[s];
			if (realish ? sg->limit != 0xffffffffu : !seg_is_flat_data(sg))
				m |= 1u << s;
			seg_range_of(c, s, &c->segr[s]);
		}
		/* 16-bit code cannot leave a 64 KiB limit: IP wraps first */
		if (c->seg[S_CS].limit < (c->code_size == 2 ? 0xffffu : 0xffffffffu))
			m |= SEGCHK_FETCH;
	}
	c->seg_chk = m;
}

bool seg_room(const struct kvm_segment *s, uint64_t off, unsigned len)
{
	uint64_t last = off + len - 1;
	if (s->s && !(s->type & 8) && (s->type & 4))
		return off > s->limit && last <= (s->db ? 0xffffffffu : 0xffffu);
	return last <= s->limit;
}

void seg_fault(struct emu_cpu *c, unsigned seg)
{
	if (seg == S_SS)
		emu_raise(c, EX_SS, 0, true);
	emu_gp(c, 0);
}

/* The block to run when CS has a limit below what IP can reach: a cached
 * block is used only when every instruction of it lies inside the limit;
 * otherwise the first instruction runs alone, or #GP(0) when it does not
 * fit. (A block is never longer than BLOCK_MAX_BYTES.) */
const struct block *seg_block_fetch(struct emu_cpu *c)
{
	uint64_t lim = c->seg[S_CS].limit;
	if (c->rip > lim)
		emu_gp(c, 0);
	struct block *b = block_fetch(c);
	if (lim - c->rip >= BLOCK_MAX_BYTES)
		return b;
	uint64_t room = lim - c->rip + 1, pos = 0;
	unsigned k = 0;
	while (k < b->n && pos + b->in[k].len <= room)
		pos += b->in[k++].len;
	if (k == b->n)
		return b;
	if (k == 0)
		emu_gp(c, 0);
	struct block *s = (struct block *)c->scratch;
	if (s != b) {
		memcpy(s, b, sizeof(*s));
		s->in[0] = b->in[0];
	}
	s->n = 1;
	return s;
}
