/* The decoded-block cache: basic blocks (up to BLOCK_MAX instructions in
 * one page, ending at a control transfer) decoded once and kept in an arena
 * that is flushed wholesale when full, found through a direct-mapped table
 * keyed by physical address and code size (and through the successor links
 * of the block run before). A block is used only while the guest bytes it
 * came from are unchanged. Checking that costs one compare while its page
 * is a code page that no store and no I/O has touched since the block was
 * last checked (cpu.h, page_code and epoch); otherwise the block's bytes
 * are compared with the guest's, and the page becomes a code page again.
 * Code outside RAM and instructions that cross a page run uncached. */
#include "vmm/emu/ops.h"
#include "vmm/machine.h"

#include <glib.h>

void block_cache_init(struct emu_vm *vm)
{
	const struct guest_mem *gm = &vm->m->mem;
	vm->btab = g_new0(struct block *, BTAB_SIZE);
	vm->arena = g_malloc(BLOCK_ARENA);
	vm->arena_used = 0;
	vm->npages = (gm->high_end > gm->low_end ? gm->high_end : gm->low_end) >> 12;
	vm->page_code = g_new0(uint64_t, vm->npages);
	vm->epoch = 1;
}

void block_cache_fini(struct emu_vm *vm)
{
	g_free(vm->btab);
	g_free(vm->arena);
	g_free(vm->page_code);
}

/* Makes a RAM page a code page: from now on every CPU's stores to it take
 * the slow path (mmu.c), which notes them. */
static void code_page_mark(struct emu_cpu *c, uint64_t pfn)
{
	struct emu_vm *vm = c->vm;
	uint64_t page = pfn << 12;
	vm->page_code[pfn]++;
	c->stats.code_pages++;
	for (unsigned k = 0; k < vm->ncpus; k++)
		for (unsigned t = 0; t < 2; t++) {
			struct tlb_entry *e = vm->cpus[k]->tlb[t];
			for (unsigned i = 0; i < TLB_SIZE; i++)
				if (e[i].phys == page)
					e[i].tag_w = TLB_INVALID;
		}
}

/* The block's bytes were just found (or decoded) equal to the guest's. */
static inline void block_trust(struct emu_cpu *c, struct block *b, uint64_t pfn)
{
	struct emu_vm *vm = c->vm;
	if (!(vm->page_code[pfn] & 1))
		code_page_mark(c, pfn);
	b->gen = vm->page_code[pfn];
	b->epoch = vm->epoch;
}

/* Unconditional transfers end a block; conditional ones (Jcc, LOOP, JCXZ)
 * do not: the run loop leaves the block when an instruction's next RIP is
 * not the sequential one, so a not-taken branch just runs on. */
static bool ends_block(const struct insn *i)
{
	insn_fn *f = i->fn;
	return f == op_jmp_rel || f == op_call_rel || f == op_ret || f == op_jmp_rm ||
	       f == op_call_rm || f == op_jmpf_ptr || f == op_callf_ptr || f == op_jmpf_m || f == op_callf_m ||
	       f == op_retf || f == op_iret || f == op_int3 || f == op_int ||
	       f == op_into || f == op_int1 || f == op_syscall || f == op_sysret || f == op_hlt || f == op_ud ||
	       f == op_unimpl;
}

static void fetch_bytes(struct emu_cpu *c, uint64_t phys, uint8_t *buf, unsigned n)
{
	if (guest_mem_is_ram(&c->m->mem, phys, n)) {
		memcpy(buf, c->m->mem.base + phys, n);
	} else {
		machine_mmio(c->m, c->index, phys, buf, n, false);
		code_io_note(c);
	}
}

/* One instruction, decoded every time: MMIO code, page-crossing instructions. */
static struct block *block_single(struct emu_cpu *c, uint64_t lin, uint64_t phys)
{
	struct block *b = (struct block *)c->scratch;
	uint8_t bytes[INSN_MAX_LEN + 1] = {0};
	unsigned n1 = 4096 - (lin & 0xfff);
	if (n1 > INSN_MAX_LEN)
		n1 = INSN_MAX_LEN;
	fetch_bytes(c, phys, bytes, n1);
	int len = emu_decode(&b->in[0], bytes, n1, c->code_size);
	if (len == 0) {
		/* the instruction continues on the next page: only now may that page fault */
		uint64_t phys2 = mmu_translate(c, (lin + n1) & c->lin_mask, ACC_X);
		fetch_bytes(c, phys2, bytes + n1, INSN_MAX_LEN - n1);
		len = emu_decode(&b->in[0], bytes, INSN_MAX_LEN, c->code_size);
	}
	if (len <= 0)
		emu_gp(c, 0);  /* longer than 15 bytes */
	c->stats.decodes++;
	b->n = 1;
	b->key = 0;
	c->last_block = NULL;
	return b;
}

struct block *block_fetch_one(struct emu_cpu *c)
{
	c->stats.blocks++;
	uint64_t lin = (c->segbase[S_CS] + c->rip) & c->lin_mask;
	return block_single(c, lin, mmu_translate(c, lin, ACC_X));
}

/* Folds a Jcc at b->in[n] into b->in[n - 1] when that sets the flags and
 * both are 64-bit code (ops_fused.c). */
static bool block_fuse(struct emu_cpu *c, struct block *b, unsigned n)
{
	struct insn *j = &b->in[n], *f = &b->in[n - 1];
	if (j->fn != op_jcc || c->code_size != 8 || j->osz != 8)
		return false;
	insn_fn *fused = fused_jcc_for(f);
	if (!fused || f->len + j->len > 255)
		return false;
	if (f->mod != 3 && f->base == EA_RIP)
		f->disp -= j->len;  /* next_rip will be after the Jcc */
	f->fn = fused;
	f->fcc = j->opcode & 15;
	f->imm2 = (uint32_t)j->imm;
	f->len = (uint8_t)(f->len + j->len);
	return true;
}

static struct block *block_build(struct emu_cpu *c, uint64_t lin, uint64_t phys, uint64_t key,
				 struct block **slot)
{
	struct emu_vm *vm = c->vm;
	uint64_t page = phys & ~0xfffULL;
	if (!guest_mem_is_ram(&c->m->mem, page, 4096))
		return block_single(c, lin, phys);
	size_t need = sizeof(struct block) + BLOCK_MAX * sizeof(struct insn);
	if (vm->arena_used + need > BLOCK_ARENA) {
		memset(vm->btab, 0, BTAB_SIZE * sizeof(*vm->btab));
		vm->arena_used = 0;
		for (unsigned k = 0; k < vm->ncpus; k++)
			vm->cpus[k]->last_block = NULL;
		c->stats.block_flushes++;
	}
	struct block *b = (struct block *)(vm->arena + vm->arena_used);
	const uint8_t *h = c->m->mem.base + page;
	unsigned off = phys & 0xfff, pos = off, n = 0;
	for (;;) {
		unsigned avail = 4096 - pos < INSN_MAX_LEN ? 4096 - pos : INSN_MAX_LEN;
		int len = emu_decode(&b->in[n], h + pos, avail, c->code_size);
		if (len <= 0) {
			if (n == 0)
				return block_single(c, lin, phys);
			break;
		}
		c->stats.decodes++;
		pos += (unsigned)len;
		if (n == 0 || !block_fuse(c, b, n))
			n++;
		if (ends_block(&b->in[n - 1]) || n == BLOCK_MAX || pos >= 4096 ||
		    pos - off > BLOCK_MAX_BYTES - INSN_MAX_LEN)
			break;
	}
	b->n = (uint16_t)n;
	b->nbytes = (uint16_t)(pos - off);
	memset(b->bytes, 0, sizeof(b->bytes));
	memcpy(b->bytes, h + off, b->nbytes);
	/* whole 8-byte words are compared when they stay inside the page */
	b->nwords = off + ((b->nbytes + 7u) & ~7u) <= 4096 ? (uint16_t)((b->nbytes + 7) / 8) : 0;
	b->lastmask = (b->nbytes & 7) ? (1ULL << (8 * (b->nbytes & 7))) - 1 : ~0ULL;
	b->key = key;
	block_trust(c, b, phys >> 12);
	b->succ[0] = b->succ[1] = NULL;
	b->nlinks = 0;
	vm->arena_used += (sizeof(struct block) + n * sizeof(struct insn) + 15) & ~(size_t)15;
	if (*slot)
		c->stats.code_invalidations += (*slot)->key == key;
	*slot = b;
	return b;
}

static inline bool block_valid(const struct block *b, const uint8_t *h)
{
	unsigned nw = b->nwords;
	if (likely(nw)) {
		uint64_t diff = 0, x, y;
		for (unsigned k = 0; k + 1 < nw; k++) {
			memcpy(&x, h + 8 * k, 8);
			memcpy(&y, b->bytes + 8 * k, 8);
			diff |= x ^ y;
		}
		memcpy(&x, h + 8 * (nw - 1), 8);
		memcpy(&y, b->bytes + 8 * (nw - 1), 8);
		diff |= (x & b->lastmask) ^ y;
		return diff == 0;
	}
	return memcmp(b->bytes, h, b->nbytes) == 0;
}

static inline void block_link(struct block *p, struct block *b)
{
	if (p && p->succ[0] != b && p->succ[1] != b)
		p->succ[p->nlinks++ & 1] = b;
}

struct block *block_fetch_slow(struct emu_cpu *c)
{
	c->stats.blocks++;
	uint64_t lin = (c->segbase[S_CS] + c->rip) & c->lin_mask;
	struct tlb_entry *e = &c->tlbc[(lin >> 12) & (TLB_SIZE - 1)];
	uint64_t phys;
	if (likely(e->tag_x == (lin & ~0xfffULL)))
		phys = e->phys | (lin & 0xfff);
	else
		phys = mmu_translate(c, lin, ACC_X);
	uint64_t key = phys * 4 + (c->code_size >> 1);
	struct block *p = c->last_block, *b = NULL;
	/* a key match implies RAM: blocks are only built there */
	if (p) {
		if (p->succ[0] && p->succ[0]->key == key)
			b = p->succ[0];
		else if (p->succ[1] && p->succ[1]->key == key)
			b = p->succ[1];
	}
	struct block **slot = &c->vm->btab[(phys ^ (phys >> BTAB_BITS)) & (BTAB_SIZE - 1)];
	if (!b && *slot && (*slot)->key == key)
		b = *slot;
	if (likely(b != NULL)) {
		struct emu_vm *vm = c->vm;
		if (likely(b->gen == vm->page_code[phys >> 12] && b->epoch == vm->epoch)) {
			block_link(p, b);
			c->last_block = b;
			return b;
		}
		c->stats.code_rechecks++;
		if (block_valid(b, c->m->mem.base + phys)) {
			block_trust(c, b, phys >> 12);
			block_link(p, b);
			c->last_block = b;
			return b;
		}
	}
	b = block_build(c, lin, phys, key, slot);
	if (b->key) {
		block_link(p, b);
		c->last_block = b;
	}
	return b;
}
