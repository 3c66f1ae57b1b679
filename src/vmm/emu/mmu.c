/* Paging (2-level, PAE, 4-level with 4K/2M/4M/1G pages), the software TLB
 * fill and invalidation, and the slow paths of guest memory access:
 * page-crossing accesses, MMIO, and writes to pages that hold decoded code.
 *
 * Walks check every entry for P and reserved bits first, then the combined
 * permissions (U/S, R/W with CR0.WP, NX), and only for an access that is
 * allowed set A in every entry used and D in the leaf for writes (as QEMU
 * does; the SDM lets either happen on a faulting walk). PAE paging uses the
 * four PDPTE registers loaded by mmu_load_pdptes (CR3/CR0/CR4 writes), not
 * the PDPT in memory.
 *
 * TLB invariants: an entry gets a read tag only after the walk set A; a
 * write tag only when D is set and the page is RAM; an exec tag only when
 * not NX, and a write tag never for a page holding decoded code (cpu.h,
 * page_code), so stores there take the slow path. Permissions are folded in
 * per privilege (c->tlb[0] supervisor, c->tlb[1] user), so the fast path is
 * one compare. Large pages are cached as 4K pieces that remember the page
 * size, so INVLPG anywhere in a large page can drop all of its pieces. */
#include "vmm/emu/cpu.h"
#include "vmm/machine.h"

/* MAXPHYADDR, as CPUID 0x80000008 reports it (sys.c) */
#define PHYS_BITS 40
#define ADDR_MASK (((1ULL << PHYS_BITS) - 1) & ~0xfffULL)
#define RSVD_ADDR_4L (((1ULL << 52) - 1) & ~((1ULL << PHYS_BITS) - 1))      /* 51:40 */
#define RSVD_ADDR_PAE (((1ULL << 63) - 1) & ~((1ULL << PHYS_BITS) - 1))     /* 62:40 */
#define PTE_NX (1ULL << 63)
/* PAE PDPTE: bits 2:1, 8:5 and 63:MAXPHYADDR are reserved (SDM 4.4.1) */
#define PDPTE_RSVD (0x1e6ULL | ~((1ULL << PHYS_BITS) - 1))

enum { PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 16 };

struct walk {
	uint64_t phys;
	unsigned shift;          /* page size: 12, 21 (2M), 22 (4M), 30 (1G) */
	bool user, write, nx, global, dirty;
};

static uint64_t pte_read(struct emu_cpu *c, uint64_t gpa, unsigned sz)
{
	uint64_t v = 0;
	if (!guest_mem_read(&c->m->mem, gpa, &v, sz))
		return 0;  /* page tables outside RAM read as not present */
	return v;
}

static void pte_set_bits(struct emu_cpu *c, uint64_t gpa, unsigned sz, uint64_t bits)
{
	uint64_t v = pte_read(c, gpa, sz);  /* fresh: one entry may be used at several levels */
	if ((v & bits) == bits)
		return;
	v |= bits;
	if (guest_mem_write(&c->m->mem, gpa, &v, sz))
		code_write_note(c, gpa, sz);
}

static _Noreturn void page_fault(struct emu_cpu *c, uint64_t lin, unsigned acc, bool user, uint32_t err)
{
	if ((acc & 3) == ACC_W)
		err |= PF_W;
	if (user)
		err |= PF_U;
	/* I/D is reported only where NX exists (no SMEP here) */
	if ((acc & 3) == ACC_X && (c->efer & EFER_NXE) && (c->cr4 & CR4_PAE))
		err |= PF_I;
	c->cr2 = lin;
	emu_raise(c, EX_PF, err, true);
}

bool mmu_load_pdptes(struct emu_cpu *c, uint64_t cr3)
{
	uint64_t p[4];
	for (unsigned k = 0; k < 4; k++) {
		p[k] = pte_read(c, ((cr3 & 0xffffffe0) + 8 * k), 8);
		if ((p[k] & 1) && (p[k] & PDPTE_RSVD))
			return false;
	}
	memcpy(c->pdpte, p, sizeof(p));
	return true;
}

/* Walks the page tables for one access, checks permissions (raising #PF)
 * and sets accessed/dirty bits. */
static void walk(struct emu_cpu *c, uint64_t lin, unsigned acc, struct walk *w)
{
	bool user = c->cpl == 3 && !(acc & ACC_SYS);
	bool is_write = (acc & 3) == ACC_W, is_fetch = (acc & 3) == ACC_X;
	uint64_t nx_rsvd = (c->efer & EFER_NXE) ? 0 : PTE_NX;
	uint64_t addr[4], e = 0;
	unsigned n = 0, esz = 8;
	bool rw = true, us = true, nx = false;

	c->stats.tlb_misses++;
	if (!(c->cr0 & CR0_PG)) {
		w->phys = lin & c->lin_mask;
		w->shift = 12;
		w->user = w->write = w->dirty = true;
		w->nx = w->global = false;
		return;
	}
	if (c->cr4 & CR4_PAE) {
		uint64_t table, rsvd;
		int level;
		if (c->efer & EFER_LMA) {
			table = c->cr3 & ADDR_MASK;
			level = 4;
			rsvd = RSVD_ADDR_4L | nx_rsvd;
		} else {
			uint64_t pdpte = c->pdpte[(lin >> 30) & 3];
			if (!(pdpte & 1))
				page_fault(c, lin, acc, user, 0);
			table = pdpte & ADDR_MASK;
			level = 2;
			rsvd = RSVD_ADDR_PAE | nx_rsvd;
		}
		for (;; level--) {
			unsigned shift = 12 + 9 * (level - 1);
			addr[n] = table + ((lin >> shift) & 511) * 8;
			e = pte_read(c, addr[n++], 8);
			if (!(e & 1))
				page_fault(c, lin, acc, user, 0);
			uint64_t r = rsvd;
			bool large = level > 1 && (e & 0x80);
			if (level == 4 && large)
				r |= 0x80;                                 /* no 512G pages */
			else if (large)
				r |= ((1ULL << shift) - 1) & ~0x1fffULL;   /* between PAT (bit 12) and the address */
			if (e & r)
				page_fault(c, lin, acc, user, PF_P | PF_RSVD);
			rw &= (e >> 1) & 1;
			us &= (e >> 2) & 1;
			nx |= (e >> 63) & 1;
			if (level == 1 || large) {
				uint64_t pm = (1ULL << shift) - 1;
				w->phys = (e & ADDR_MASK & ~pm) | (lin & pm);
				w->shift = shift;
				break;
			}
			table = e & ADDR_MASK;
		}
	} else {
		esz = 4;
		addr[n] = (c->cr3 & 0xfffff000) + ((lin >> 22) & 0x3ff) * 4;
		e = pte_read(c, addr[n++], 4);
		if (!(e & 1))
			page_fault(c, lin, acc, user, 0);
		rw &= (e >> 1) & 1;
		us &= (e >> 2) & 1;
		if ((e & 0x80) && (c->cr4 & CR4_PSE)) {
			/* 4M page; bits 20:13 are address bits 39:32 (PSE-36 layout), 21 is reserved */
			if (e & (1u << 21))
				page_fault(c, lin, acc, user, PF_P | PF_RSVD);
			w->phys = (e & 0xffc00000) | (((e >> 13) & 0xff) << 32) | (lin & 0x3fffff);
			w->shift = 22;
		} else {
			addr[n] = (e & 0xfffff000) + ((lin >> 12) & 0x3ff) * 4;
			e = pte_read(c, addr[n++], 4);
			if (!(e & 1))
				page_fault(c, lin, acc, user, 0);
			rw &= (e >> 1) & 1;
			us &= (e >> 2) & 1;
			w->phys = (e & 0xfffff000) | (lin & 0xfff);
			w->shift = 12;
		}
	}
	if (user && !us)
		page_fault(c, lin, acc, user, PF_P);
	if (is_write && !rw && (user || (c->cr0 & CR0_WP)))
		page_fault(c, lin, acc, user, PF_P);
	if (is_fetch && nx)
		page_fault(c, lin, acc, user, PF_P);
	/* the access is allowed: A on every entry used, D on the leaf for a write */
	for (unsigned k = 0; k + 1 < n; k++)
		pte_set_bits(c, addr[k], esz, 0x20);
	pte_set_bits(c, addr[n - 1], esz, is_write ? 0x60 : 0x20);
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
	e->tag_w = (readable && w->write && w->dirty && !code_page(c->vm, pphys)) ? page : TLB_INVALID;
	e->tag_x = (readable && !w->nx) ? page : TLB_INVALID;
	e->addend = (uintptr_t)(c->m->mem.base + pphys) - page;
	e->phys = pphys;
	e->global = w->global;
	e->shift = (uint8_t)w->shift;
	if (w->shift > 12 && readable) {
		/* the linear range INVLPG must search for pieces of large pages */
		uint64_t base = lin & ~((1ULL << w->shift) - 1);
		if (base < c->tlb_large_lo)
			c->tlb_large_lo = base;
		if (base + (1ULL << w->shift) - 1 > c->tlb_large_hi)
			c->tlb_large_hi = base + (1ULL << w->shift) - 1;
	}
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
	else {
		machine_mmio(c->m, c->index, gpa, buf, len, false);
		code_io_note(c);
	}
}

static void phys_write(struct emu_cpu *c, uint64_t gpa, const void *buf, unsigned len)
{
	if (guest_mem_is_ram(&c->m->mem, gpa, len)) {
		memcpy(c->m->mem.base + gpa, buf, len);
		code_write_note(c, gpa, len);
	} else {
		machine_mmio(c->m, c->index, gpa, (void *)buf, len, true);
		code_io_note(c);
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
	if (include_global) {
		c->tlb_large_lo = TLB_INVALID;
		c->tlb_large_hi = 0;
	}
}

/* INVLPG: the 4K piece for lin in both TLBs and, when lin may lie in a
 * cached large page, every piece of that large page (any slot). */
void tlb_flush_page(struct emu_cpu *c, uint64_t lin)
{
	uint64_t page = lin & ~0xfffULL;
	for (unsigned t = 0; t < 2; t++) {
		struct tlb_entry *e = &c->tlb[t][(lin >> 12) & (TLB_SIZE - 1)];
		if (e->tag_r == page || e->tag_w == page || e->tag_x == page)
			e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
	}
	if (lin < c->tlb_large_lo || lin > c->tlb_large_hi)
		return;
	for (unsigned t = 0; t < 2; t++)
		for (unsigned k = 0; k < TLB_SIZE; k++) {
			struct tlb_entry *e = &c->tlb[t][k];
			/* a piece of a large page always has its read tag (tlb_fill) */
			if (e->shift > 12 && e->tag_r != TLB_INVALID && ((e->tag_r ^ lin) >> e->shift) == 0)
				e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
		}
}
