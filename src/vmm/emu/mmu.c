/* Paging (2-level, PAE, 4-level with 4K/2M/4M/1G pages), the software TLB
 * fill, and the slow paths of guest memory access: page-crossing accesses,
 * MMIO, and writes to pages that hold decoded code.
 *
 * TLB invariants: an entry gets a read tag only after the walk set A; a
 * write tag only when D is set and the page is RAM; an exec tag only when
 * not NX. (Stores to code need no slow path: the decode cache validates
 * instruction bytes, see engine.c.) Permissions are folded in per privilege
 * (c->tlb[0] supervisor, c->tlb[1] user), so the fast path is one compare. */
#include "vmm/emu/cpu.h"
#include "vmm/machine.h"

struct walk {
	uint64_t phys;
	bool user, write, nx, global, dirty;
};

static uint64_t pte_read(struct emu_cpu *c, uint64_t gpa, unsigned sz)
{
	uint64_t v = 0;
	if (!guest_mem_read(&c->m->mem, gpa, &v, sz))
		return 0;  /* page tables outside RAM read as not present */
	return v;
}

static void pte_set_bits(struct emu_cpu *c, uint64_t gpa, unsigned sz, uint64_t old, uint64_t bits)
{
	if ((old & bits) == bits)
		return;
	uint64_t v = old | bits;
	guest_mem_write(&c->m->mem, gpa, &v, sz);
}

static _Noreturn void page_fault(struct emu_cpu *c, uint64_t lin, unsigned acc, bool user, bool present)
{
	uint32_t err = present ? 1 : 0;
	if ((acc & 3) == ACC_W)
		err |= 2;
	if (user)
		err |= 4;
	if ((acc & 3) == ACC_X && (c->efer & EFER_NXE) && (c->cr4 & CR4_PAE))
		err |= 16;
	c->cr2 = lin;
	emu_raise(c, EX_PF, err, true);
}

/* Walks the page tables for one access, checks permissions (raising #PF)
 * and sets accessed/dirty bits. */
static void walk(struct emu_cpu *c, uint64_t lin, unsigned acc, struct walk *w)
{
	bool user = c->cpl == 3 && !(acc & ACC_SYS);
	bool is_write = (acc & 3) == ACC_W, is_fetch = (acc & 3) == ACC_X;
	uint64_t nxe = (c->efer & EFER_NXE) ? 1 : 0;
	uint64_t e = 0, eaddr = 0;
	unsigned esz = 8;
	bool rw = true, us = true, nx = false;

	c->stats.tlb_misses++;
	if (!(c->cr0 & CR0_PG)) {
		w->phys = lin & c->lin_mask;
		w->user = w->write = w->dirty = true;
		w->nx = w->global = false;
		return;
	}
	uint64_t pmask = 0x000ffffffffff000ULL;
	int level;
	if (c->efer & EFER_LMA) {
		uint64_t table = c->cr3 & pmask;
		for (level = 4; level >= 1; level--) {
			unsigned shift = 12 + 9 * (level - 1);
			eaddr = table + ((lin >> shift) & 511) * 8;
			e = pte_read(c, eaddr, 8);
			if (!(e & 1))
				page_fault(c, lin, acc, user, false);
			rw &= (e >> 1) & 1;
			us &= (e >> 2) & 1;
			nx |= (e >> 63) & nxe;
			if (level > 1 && level < 4 && (e & 0x80)) {
				pte_set_bits(c, eaddr, 8, e, 0x20);
				uint64_t pm = (1ULL << shift) - 1;
				w->phys = ((e & pmask) & ~pm) | (lin & pm);
				goto leaf;
			}
			pte_set_bits(c, eaddr, 8, e, 0x20);
			table = e & pmask;
		}
		w->phys = (e & pmask) | (lin & 0xfff);
	} else if (c->cr4 & CR4_PAE) {
		uint64_t pdpte = pte_read(c, (c->cr3 & 0xffffffe0) + ((lin >> 30) & 3) * 8, 8);
		if (!(pdpte & 1))
			page_fault(c, lin, acc, user, false);
		uint64_t table = pdpte & pmask;
		for (level = 2; level >= 1; level--) {
			unsigned shift = 12 + 9 * (level - 1);
			eaddr = table + ((lin >> shift) & 511) * 8;
			e = pte_read(c, eaddr, 8);
			if (!(e & 1))
				page_fault(c, lin, acc, user, false);
			rw &= (e >> 1) & 1;
			us &= (e >> 2) & 1;
			nx |= (e >> 63) & nxe;
			if (level == 2 && (e & 0x80)) {
				pte_set_bits(c, eaddr, 8, e, 0x20);
				w->phys = (e & pmask & ~0x1fffffULL) | (lin & 0x1fffff);
				goto leaf;
			}
			pte_set_bits(c, eaddr, 8, e, 0x20);
			table = e & pmask;
		}
		w->phys = (e & pmask) | (lin & 0xfff);
	} else {
		esz = 4;
		eaddr = (c->cr3 & 0xfffff000) + ((lin >> 22) & 0x3ff) * 4;
		e = pte_read(c, eaddr, 4);
		if (!(e & 1))
			page_fault(c, lin, acc, user, false);
		rw &= (e >> 1) & 1;
		us &= (e >> 2) & 1;
		if ((e & 0x80) && (c->cr4 & CR4_PSE)) {
			pte_set_bits(c, eaddr, 4, e, 0x20);
			w->phys = (e & 0xffc00000) | (((e >> 13) & 0xff) << 32) | (lin & 0x3fffff);
			goto leaf;
		}
		pte_set_bits(c, eaddr, 4, e, 0x20);
		eaddr = (e & 0xfffff000) + ((lin >> 12) & 0x3ff) * 4;
		e = pte_read(c, eaddr, 4);
		if (!(e & 1))
			page_fault(c, lin, acc, user, false);
		rw &= (e >> 1) & 1;
		us &= (e >> 2) & 1;
		w->phys = (e & 0xfffff000) | (lin & 0xfff);
	}
leaf:
	if (user && !us)
		page_fault(c, lin, acc, user, true);
	if (is_write && !rw && (user || (c->cr0 & CR0_WP)))
		page_fault(c, lin, acc, user, true);
	if (is_fetch && nx)
		page_fault(c, lin, acc, user, true);
	/* the leaf entry was re-read above only for 4K pages; refresh A/D on it */
	e = pte_read(c, eaddr, esz);
	pte_set_bits(c, eaddr, esz, e, is_write ? 0x60 : 0x20);
	w->dirty = is_write || (e & 0x40);
	w->user = us;
	w->write = rw || (!user && !(c->cr0 & CR0_WP));
	w->nx = nx;
	w->global = (e & 0x100) && (c->cr4 & CR4_PGE);
}

static void tlb_fill(struct emu_cpu *c, uint64_t lin, unsigned acc, const struct walk *w)
{
	uint64_t pphys = w->phys & ~0xfffULL;
	if ((acc & ACC_SYS) && c->cpl == 3)
		return;  /* a supervisor access from user mode: the user TLB must not learn it */
	if (!guest_mem_is_ram(&c->m->mem, pphys, 4096))
		return;  /* MMIO never gets a host pointer */
	uint64_t page = lin & ~0xfffULL;
	struct tlb_entry *e = &c->tlbc[(lin >> 12) & (TLB_SIZE - 1)];
	bool user = c->cpl == 3;
	bool readable = !user || w->user;
	e->tag_r = readable ? page : TLB_INVALID;
	e->tag_w = (readable && w->write && w->dirty) ? page : TLB_INVALID;
	e->tag_x = (readable && !w->nx) ? page : TLB_INVALID;
	e->addend = (uintptr_t)(c->m->mem.base + pphys) - page;
	e->phys = pphys;
	e->global = w->global;
}

uint64_t mmu_translate(struct emu_cpu *c, uint64_t lin, unsigned acc)
{
	if ((c->efer & EFER_LMA) && (uint64_t)((int64_t)(lin << 16) >> 16) != lin)
		emu_gp(c, 0);
	struct walk w;
	walk(c, lin, acc, &w);
	tlb_fill(c, lin, acc, &w);
	return w.phys;
}

static void phys_read(struct emu_cpu *c, uint64_t gpa, void *buf, unsigned len)
{
	if (guest_mem_is_ram(&c->m->mem, gpa, len))
		memcpy(buf, c->m->mem.base + gpa, len);
	else
		machine_mmio(c->m, c->index, gpa, buf, len, false);
}

static void phys_write(struct emu_cpu *c, uint64_t gpa, const void *buf, unsigned len)
{
	if (guest_mem_is_ram(&c->m->mem, gpa, len)) {
		memcpy(c->m->mem.base + gpa, buf, len);
	} else {
		machine_mmio(c->m, c->index, gpa, (void *)buf, len, true);
		/* an EOI or TPR write can make an interrupt deliverable: look again */
		c->events = 1;
	}
}

uint64_t mmu_read_slow(struct emu_cpu *c, uint64_t lin, unsigned len, unsigned acc)
{
	uint8_t b[8] = {0};
	mmu_read_buf(c, lin, b, len, acc);
	uint64_t v;
	memcpy(&v, b, 8);
	return v;
}

void mmu_write_slow(struct emu_cpu *c, uint64_t lin, unsigned len, uint64_t v, unsigned acc)
{
	mmu_write_buf(c, lin, &v, len, acc);
}

/* Accesses may span any number of pages; every page is translated before
 * anything is written so a fault leaves memory untouched. */
#define MAX_SPAN_PAGES 3
void mmu_read_buf(struct emu_cpu *c, uint64_t lin, void *buf, unsigned len, unsigned acc)
{
	uint8_t *p = buf;
	while (len) {
		unsigned n = 4096 - (lin & 0xfff);
		if (n > len)
			n = len;
		void *h = ((acc & ACC_SYS) && c->cpl == 3) || (acc & 3) == ACC_X ? NULL : tlb_fast(c, lin, n, acc & 3);
		if (h)
			memcpy(p, h, n);
		else
			phys_read(c, mmu_translate(c, lin, acc), p, n);
		p += n;
		len -= n;
		lin = (lin + n) & c->lin_mask;
	}
}

void mmu_write_buf(struct emu_cpu *c, uint64_t lin, const void *buf, unsigned len, unsigned acc)
{
	const uint8_t *p = buf;
	uint64_t l = lin;
	unsigned left = len;
	/* check pass (translations fill the TLB; they are redone below) */
	while (left) {
		unsigned n = 4096 - (l & 0xfff);
		if (n > left)
			n = left;
		if (!((acc & ACC_SYS) && c->cpl == 3) && tlb_fast(c, l, n, ACC_W)) {
			if (n == len) {
				memcpy(tlb_fast(c, l, n, ACC_W), buf, n);
				return;
			}
		} else {
			mmu_translate(c, l, acc);
		}
		left -= n;
		l = (l + n) & c->lin_mask;
	}
	while (len) {
		unsigned n = 4096 - (lin & 0xfff);
		if (n > len)
			n = len;
		uint64_t gpa = mmu_translate(c, lin, acc);
		phys_write(c, gpa, p, n);
		p += n;
		len -= n;
		lin = (lin + n) & c->lin_mask;
	}
}

void mmu_probe_write(struct emu_cpu *c, uint64_t lin, unsigned len)
{
	if (tlb_fast(c, lin, len, ACC_W))
		return;
	unsigned n = 4096 - (lin & 0xfff);
	mmu_translate(c, lin, ACC_W);
	if (n < len)
		mmu_translate(c, (lin + n) & c->lin_mask, ACC_W);
}

uint8_t *mmu_host_span(struct emu_cpu *c, uint64_t lin, unsigned len, bool write)
{
	unsigned acc = write ? ACC_W : ACC_R;
	void *p = tlb_fast(c, lin, len, acc);
	if (p)
		return p;
	mmu_translate(c, lin, acc);
	return tlb_fast(c, lin, len, acc);
}

void tlb_flush(struct emu_cpu *c, bool include_global)
{
	c->stats.tlb_flushes++;
	for (unsigned t = 0; t < 2; t++)
		for (unsigned k = 0; k < TLB_SIZE; k++) {
			struct tlb_entry *e = &c->tlb[t][k];
			if (include_global || !e->global)
				e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
		}
}

void tlb_flush_page(struct emu_cpu *c, uint64_t lin)
{
	uint64_t page = lin & ~0xfffULL;
	for (unsigned t = 0; t < 2; t++) {
		struct tlb_entry *e = &c->tlb[t][(lin >> 12) & (TLB_SIZE - 1)];
		if (e->tag_r == page || e->tag_w == page || e->tag_x == page)
			e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
	}
}
