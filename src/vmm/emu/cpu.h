/* The emu engine's private CPU model: architectural state, the software
 * TLB, lazy flags, and the decoded-instruction record that handlers run on.
 *
 * Execution contract: a handler runs with c->rip at the start of its
 * instruction and c->next_rip after it; it commits registers only after
 * every memory access that can fault has succeeded, so an exception
 * (emu_raise, a longjmp back to the run loop) leaves the state exactly as
 * before the instruction. */
#ifndef TANDEM_EMU_CPU_H
#define TANDEM_EMU_CPU_H

#include "vmm/emu/fpu.h"
#include "vmm/emu/emu.h"
#include "vmm/cpu_state.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct machine;
struct emu_cpu;
struct emu_vm;

#define likely(x) __builtin_expect(!!(x), 1)
/* per-access helpers that must not become calls (measured: see seg_limit.c) */
#define EMU_INLINE inline __attribute__((always_inline))
#define unlikely(x) __builtin_expect(!!(x), 0)

enum { R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI };
enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_NONE = 7 };

/* EFLAGS bits */
#define F_CF 0x0001u
#define F_PF 0x0004u
#define F_AF 0x0010u
#define F_ZF 0x0040u
#define F_SF 0x0080u
#define F_TF 0x0100u
#define F_IF 0x0200u
#define F_DF 0x0400u
#define F_OF 0x0800u
#define F_IOPL 0x3000u
#define F_NT 0x4000u
#define F_RF 0x10000u
#define F_VM 0x20000u
#define F_AC 0x40000u
#define F_VIF 0x80000u
#define F_VIP 0x100000u
#define F_ID 0x200000u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

#define CR0_PE 0x1u
#define CR0_MP 0x2u
#define CR0_EM 0x4u
#define CR0_TS 0x8u
#define CR0_ET 0x10u
#define CR0_NE 0x20u
#define CR0_WP 0x10000u
#define CR0_AM 0x40000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u
#define CR4_PSE 0x10u
#define CR4_PAE 0x20u
#define CR4_PGE 0x80u
#define CR4_OSFXSR 0x200u
#define CR4_OSXMMEXCPT 0x400u
#define EFER_SCE 0x1u
#define EFER_LME 0x100u
#define EFER_LMA 0x400u
#define EFER_NXE 0x800u

/* Exception vectors */
enum { EX_DE = 0, EX_DB = 1, EX_NMI = 2, EX_BP = 3, EX_OF = 4, EX_BR = 5, EX_UD = 6, EX_NM = 7, EX_DF = 8,
       EX_TS = 10, EX_NP = 11, EX_SS = 12, EX_GP = 13, EX_PF = 14, EX_MF = 16, EX_AC = 17, EX_XM = 19 };

/* Lazy flag kinds: flags are computed from (op, size, a, b, res) only when read. */
enum lf_op { LF_NONE, LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC,
	     LF_SHL, LF_SHR, LF_SAR };  /* shifts: b is the count (1..63, 32/64-bit operands only) */

/* --- software TLB -------------------------------------------------------- */
#define TLB_BITS 10
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_INVALID (~0ULL)
struct tlb_entry {
	uint64_t tag_r, tag_w, tag_x;  /* linear page, or TLB_INVALID when that access needs the slow path */
	uintptr_t addend;              /* host = linear + addend */
	uint64_t phys;                 /* guest physical page */
	bool global;
	uint8_t shift;                 /* size of the guest page it is a piece of: 12, 21, 22, 30 */
};

/* --- decoded instruction ------------------------------------------------- */
struct insn;
typedef void insn_fn(struct emu_cpu *c, const struct insn *i);

#define EA_NONE 0xff
#define EA_RIP 16

struct insn {
	insn_fn *fn;
	uint64_t imm;      /* immediate, sign/zero-extended as the instruction wants */
	int64_t disp;
	uint32_t imm2;     /* second immediate: ENTER nesting level, far pointer selector */
	uint8_t len;
	uint8_t osz;       /* operand size in bytes: 1, 2, 4, 8 */
	uint8_t asz;       /* address size in bytes: 2, 4, 8 */
	uint8_t seg;       /* effective segment of the memory operand */
	uint8_t rep;       /* 0, 0xF2, 0xF3 */
	uint8_t lock;
	uint8_t mod, reg, rm;   /* reg/rm include REX; 8-bit AH..BH are 16..19 */
	uint8_t base, index, scale;
	uint8_t opcode, map;    /* map 0: one-byte, 1: 0F, 2: 0F38, 3: 0F3A */
	uint8_t modrm, rex, pfx66, sse_pfx;
	uint8_t fcc;       /* fused compare-and-branch (ops_fused.c): the Jcc's condition */
};

#define INSN_MAX_LEN 15

/* A decoded basic block: up to BLOCK_MAX instructions within one page,
 * ending at a control transfer. Valid while the guest bytes it was decoded
 * from (kept in bytes[]) are unchanged. A lookup trusts the block without
 * comparing bytes while its page's code state (emu_vm.page_code) and the
 * VM's I/O epoch are the ones it recorded; otherwise it compares bytes. */
#define BLOCK_MAX 32
#define BLOCK_MAX_BYTES 256
struct block {
	uint64_t key;            /* phys * 4 + code_size / 2 */
	uint64_t gen;            /* page_code[] of its page when last found valid */
	uint64_t epoch;          /* emu_vm.epoch then */
	uint16_t n, nbytes, nwords, nlinks;
	uint64_t lastmask;
	struct block *succ[2];   /* blocks that followed this one (chaining skips the table) */
	uint8_t bytes[BLOCK_MAX_BYTES];
	struct insn in[];
};
#define BTAB_BITS 18
#define BTAB_SIZE (1u << BTAB_BITS)
#define BLOCK_ARENA (32u << 20)

/* --- the CPU ------------------------------------------------------------- */
enum cpu_mode { MODE_REAL, MODE_PROT, MODE_LONG };

struct emu_cpu {
	uint64_t r[16];
	uint64_t rip, next_rip;
	uint64_t flags;          /* EFLAGS; F_ARITH bits are stale while lf_op != LF_NONE */
	uint32_t lf_op;
	uint32_t lf_size;        /* bytes */
	uint64_t lf_a, lf_b, lf_res;

	struct kvm_segment seg[6], tr, ldt;
	struct kvm_dtable gdt, idt;
	uint64_t segbase[8];     /* base used for address computation (0 for ES/CS/SS/DS in 64-bit mode) */
	uint32_t seg_chk;        /* bit s: accesses through segment s need limit/type checks (SEGCHK_FETCH: code fetch) */
	struct seg_range {       /* what segment s allows, for checked segments */
		uint64_t lo, hi;     /* offsets */
		bool r, w;
	} segr[6];
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
	uint64_t dr[8];
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t pat, misc_enable, tsc_offset, tsc_adjust, tsc_aux, mtrr_def, mtrr_var[16], mtrr_fixed[11];

	enum cpu_mode mode;
	unsigned cpl;
	unsigned code_size;      /* 2, 4, 8: default operand/address size of CS */
	unsigned stack_size;     /* 2, 4, 8 */
	uint64_t lin_mask;       /* 0xffffffff outside long mode */
	uint64_t ip_mask;        /* by code size */

	/* TLB: [0] supervisor, [1] user (CPL 3) */
	struct tlb_entry tlb[2][TLB_SIZE];
	struct tlb_entry *tlbc;
	uint64_t tlb_large_lo, tlb_large_hi;  /* linear range that may hold pieces of large pages */
	uint64_t pdpte[4];       /* PAE PDPTE registers (mmu_load_pdptes) */

	struct fpu_state fpu;

	/* run-loop state */
	jmp_buf jb;
	unsigned shadow;         /* interrupt shadow (STI, MOV SS): the next instruction runs first */
	volatile int events;     /* end the block: look at interrupts/kicks/mode before going on */
	volatile int kicked;
	bool irq_check;          /* machine_irq_pending may have changed */
	bool nmi_blocked;
	bool halted;
	int run_state;           /* enum vcpu_run_state */
	int exc_vec;             /* exception being raised */
	uint32_t exc_err;
	bool exc_has_err;
	int exc_depth;           /* nesting while delivering: 1 = delivering, 2 = #DF */
	int exc_first;           /* the event being delivered (-1: external interrupt) */
	int error;               /* VCPU_EXIT_ERROR pending */
	char errmsg[200];

	uint64_t rt_check;       /* realtime clock: icount at which to look at host time */
	struct block *last_block; /* the block run last (in the arena), or NULL */
	_Alignas(16) uint8_t scratch[sizeof(struct block) + sizeof(struct insn)];  /* uncached instruction */
	uint64_t icount;         /* instructions retired */
	uint64_t credited;       /* part of icount already credited to the guest clock */
	struct emu_stats stats;

	struct machine *m;
	struct emu_vm *vm;
	unsigned index;
};



/* Code pages. page_code[pfn] of a RAM page is odd while decoded blocks on
 * it are trusted ("code page"): then no TLB holds a write tag for it, so
 * every CPU store to it takes the slow path, which makes the value even
 * again (code_write_note); marking the page as code makes it odd again. The
 * value only grows, so a block that recorded it knows whether any store hit
 * its page since. Writers outside the CPU (devices, DMA, loaders) are not
 * tracked per page: everything they do happens in machine_pio/machine_mmio
 * calls or outside emu_run, and each of those bumps emu_vm.epoch, after
 * which every block is compared with its bytes once more. */
struct emu_vm {
	struct machine *m;
	struct block **btab;     /* direct-mapped by physical address */
	uint8_t *arena;          /* block storage, flushed wholesale when full */
	size_t arena_used;
	uint64_t *page_code;     /* per guest-physical page, see above */
	uint64_t npages;         /* entries in page_code (covers all RAM) */
	uint64_t epoch;          /* bumped whenever RAM may have changed behind the TLB */
	struct emu_cpu *cpus[64];
	unsigned ncpus;
};

/* A CPU store of len bytes at gpa (RAM, already done) that bypassed the
 * TLB's write tags: blocks on those pages must be checked again, and the
 * current block must end in case it was the one rewritten. */
static inline void code_write_note(struct emu_cpu *c, uint64_t gpa, uint64_t len)
{
	struct emu_vm *vm = c->vm;
	for (uint64_t pfn = gpa >> 12; len && pfn <= (gpa + len - 1) >> 12 && pfn < vm->npages; pfn++)
		if (vm->page_code[pfn] & 1) {
			vm->page_code[pfn]++;
			c->stats.code_writes++;
			c->events = 1;
		}
}

/* Devices may have written RAM (called after every machine_pio/mmio). */
static inline void code_io_note(struct emu_cpu *c)
{
	c->vm->epoch++;
}

static inline bool code_page(const struct emu_vm *vm, uint64_t gpa)
{
	uint64_t pfn = gpa >> 12;
	return pfn < vm->npages && (vm->page_code[pfn] & 1);
}

/* --- registers ------------------------------------------------------------ */
static inline uint64_t size_mask(unsigned sz)
{
	return sz == 8 ? ~0ULL : (1ULL << (sz * 8)) - 1;
}

static inline uint64_t reg_get(const struct emu_cpu *c, unsigned r, unsigned sz)
{
	switch (sz) {
	case 1:
		return r >= 16 ? (c->r[r - 16] >> 8) & 0xff : c->r[r] & 0xff;
	case 2: return c->r[r] & 0xffff;
	case 4: return c->r[r] & 0xffffffff;
	default: return c->r[r];
	}
}

static inline void reg_set(struct emu_cpu *c, unsigned r, unsigned sz, uint64_t v)
{
	switch (sz) {
	case 1:
		if (r >= 16)
			c->r[r - 16] = (c->r[r - 16] & ~0xff00ULL) | ((v & 0xff) << 8);
		else
			c->r[r] = (c->r[r] & ~0xffULL) | (v & 0xff);
		break;
	case 2: c->r[r] = (c->r[r] & ~0xffffULL) | (v & 0xffff); break;
	case 4: c->r[r] = v & 0xffffffff; break;
	default: c->r[r] = v; break;
	}
}

static inline uint64_t sext(uint64_t v, unsigned sz)
{
	switch (sz) {
	case 1: return (uint64_t)(int64_t)(int8_t)v;
	case 2: return (uint64_t)(int64_t)(int16_t)v;
	case 4: return (uint64_t)(int64_t)(int32_t)v;
	default: return v;
	}
}

/* --- exceptions ------------------------------------------------------------ */
_Noreturn void emu_raise(struct emu_cpu *c, int vec, uint32_t err, bool has_err);
static inline _Noreturn void emu_gp(struct emu_cpu *c, uint32_t err) { emu_raise(c, EX_GP, err, true); }
static inline _Noreturn void emu_ud(struct emu_cpu *c) { emu_raise(c, EX_UD, 0, false); }
/* Stops emulation with an internal error (unimplemented feature). */
_Noreturn void emu_fatal(struct emu_cpu *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- flags (flags.c) ------------------------------------------------------- */
uint64_t flags_get(struct emu_cpu *c);          /* materialises F_ARITH */
void flags_set(struct emu_cpu *c, uint64_t v);  /* raw: no mode checks */
bool cond_eval(struct emu_cpu *c, unsigned cc);

static inline void lf_set(struct emu_cpu *c, unsigned op, unsigned sz, uint64_t a, uint64_t b, uint64_t res)
{
	c->lf_op = op;
	c->lf_size = sz;
	c->lf_a = a;
	c->lf_b = b;
	c->lf_res = res;
}

static inline bool flag_cf(struct emu_cpu *c)
{
	return flags_get(c) & F_CF;
}

/* Sets F_ARITH bits eagerly (shifts, multiplies, BT...). When all six are
 * set, the previous ones need not be computed. */
static inline void flags_arith(struct emu_cpu *c, uint64_t mask, uint64_t val)
{
	uint64_t f = (mask & F_ARITH) == F_ARITH ? c->flags : flags_get(c);
	c->flags = (f & ~mask) | (val & mask);
	c->lf_op = LF_NONE;
}

/* ZF, SF, PF of a result, for eager flag code. */
static inline uint64_t flags_zsp(uint64_t res, unsigned sz)
{
	uint64_t m = size_mask(sz);
	uint64_t f = 0;
	if ((res & m) == 0)
		f |= F_ZF;
	if ((res >> (sz * 8 - 1)) & 1)
		f |= F_SF;
	if (!__builtin_parity((unsigned)(res & 0xff)))
		f |= F_PF;
	return f;
}

/* --- memory (mmu.c) -------------------------------------------------------- */
enum { ACC_R = 0, ACC_W = 1, ACC_X = 2 };
#define ACC_SYS 4          /* implicit supervisor access (descriptor tables, TSS) */

uint64_t mmu_read_slow(struct emu_cpu *c, uint64_t lin, unsigned len, unsigned acc);
void mmu_write_slow(struct emu_cpu *c, uint64_t lin, unsigned len, uint64_t v, unsigned acc);
/* Translate for an access; raises #PF. Returns the physical address. */
uint64_t mmu_translate(struct emu_cpu *c, uint64_t lin, unsigned acc);
/* Probe that [lin, lin+len) is writable (raises #PF) without writing. */
void mmu_probe_write(struct emu_cpu *c, uint64_t lin, unsigned len);
void mmu_read_buf(struct emu_cpu *c, uint64_t lin, void *buf, unsigned len, unsigned acc);
void mmu_write_buf(struct emu_cpu *c, uint64_t lin, const void *buf, unsigned len, unsigned acc);
/* Host pointer to a span that stays within one page and is writable RAM
 * (no code), or NULL; fills the TLB as a side effect. */
uint8_t *mmu_host_span(struct emu_cpu *c, uint64_t lin, unsigned len, bool write);
void tlb_flush(struct emu_cpu *c, bool include_global);
/* INVLPG: every cached piece of the page (4K or large) that holds lin. */
void tlb_flush_page(struct emu_cpu *c, uint64_t lin);
/* Loads the PAE PDPTE registers from the PDPT at cr3 (SDM 4.4.1); false,
 * loading nothing, when a present PDPTE has reserved bits set (#GP). */
bool mmu_load_pdptes(struct emu_cpu *c, uint64_t cr3);

static inline void *tlb_fast(struct emu_cpu *c, uint64_t lin, unsigned len, unsigned acc)
{
	uint64_t last = lin + len - 1;
	struct tlb_entry *e = &c->tlbc[(last >> 12) & (TLB_SIZE - 1)];
	uint64_t tag = acc == ACC_W ? e->tag_w : e->tag_r;
	if (likely(tag == (lin & ~0xfffULL)))
		return (void *)(uintptr_t)(lin + e->addend);
	return NULL;
}

static inline uint64_t mem_read(struct emu_cpu *c, uint64_t lin, unsigned sz)
{
	void *p = tlb_fast(c, lin, sz, ACC_R);
	if (likely(p != NULL)) {
		switch (sz) {
		case 1: return *(uint8_t *)p;
		case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
		case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
		default: { uint64_t v; memcpy(&v, p, 8); return v; }
		}
	}
	return mmu_read_slow(c, lin, sz, ACC_R);
}

static inline void mem_write(struct emu_cpu *c, uint64_t lin, unsigned sz, uint64_t v)
{
	void *p = tlb_fast(c, lin, sz, ACC_W);
	if (likely(p != NULL)) {
		switch (sz) {
		case 1: *(uint8_t *)p = (uint8_t)v; return;
		case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); return; }
		case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); return; }
		default: memcpy(p, &v, 8); return;
		}
	}
	mmu_write_slow(c, lin, sz, v, ACC_W);
}

/* Effective address of the ModRM memory operand (wrapped to the address size). */
static inline uint64_t insn_ea(const struct emu_cpu *c, const struct insn *i)
{
	uint64_t a = (uint64_t)i->disp;
	if (i->base != EA_NONE)
		a += i->base == EA_RIP ? c->next_rip : c->r[i->base];
	if (i->index != EA_NONE)
		a += c->r[i->index] << i->scale;
	if (i->asz == 4)
		a &= 0xffffffff;
	else if (i->asz == 2)
		a &= 0xffff;
	return a;
}

/* Linear address of seg:ea without segment checks: only for addresses that
 * are not accessed (LEA-like uses) or were checked by seg_addr already. */
static inline uint64_t seg_lin(const struct emu_cpu *c, unsigned seg, uint64_t ea)
{
	return (c->segbase[seg] + ea) & c->lin_mask;
}

static inline uint64_t insn_lin(const struct emu_cpu *c, const struct insn *i)
{
	return seg_lin(c, i->seg, insn_ea(c, i));
}

/* Segment checks (seg_limit.c). seg_chk has bit s set when segment s is not
 * flat (or is null/read-only/code) outside 64-bit mode; it is recomputed on
 * every segment load and mode change, together with segr[s], the offsets
 * and access kinds the segment allows. Flat and 64-bit code pay one
 * predictable branch per access; the check itself has no call that
 * returns, so the fast path needs no saved registers (measured with
 * callgrind, see seg_limit.c). acc: ACC_R, ACC_W (also read-modify-write). */
#define SEGCHK_FETCH (1u << 8)
void seg_update_chk(struct emu_cpu *c);
/* #GP(0), or #SS(0) for SS. */
_Noreturn __attribute__((cold)) void seg_fault(struct emu_cpu *c, unsigned seg);
/* Whether [off, off+len) lies inside segment s (expand-down aware). */
bool seg_room(const struct kvm_segment *s, uint64_t off, unsigned len);

/* Linear address of a len-byte access at seg:ea, after the limit and type
 * checks. */
static EMU_INLINE uint64_t seg_addr(struct emu_cpu *c, unsigned seg, uint64_t ea, unsigned len, unsigned acc)
{
	if (unlikely((c->seg_chk >> seg) & 1)) {
		const struct seg_range *r = &c->segr[seg];
		if (!(acc == ACC_W ? r->w : r->r) || ea < r->lo || ea + len - 1 > r->hi)
			seg_fault(c, seg);
	}
	return (c->segbase[seg] + ea) & c->lin_mask;
}

/* A near branch target: #GP(0) beyond the CS limit (raised by the branch). */
static inline uint64_t cs_target(struct emu_cpu *c, uint64_t ip)
{
	if (unlikely(c->seg_chk & SEGCHK_FETCH) && ip > c->seg[S_CS].limit)
		emu_gp(c, 0);
	return ip;
}

static EMU_INLINE uint64_t insn_addr(struct emu_cpu *c, const struct insn *i, unsigned len, unsigned acc)
{
	return seg_addr(c, i->seg, insn_ea(c, i), len, acc);
}

/* r/m operand of i->osz bytes */
static EMU_INLINE uint64_t rm_read(struct emu_cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		return reg_get(c, i->rm, i->osz);
	return mem_read(c, insn_addr(c, i, i->osz, ACC_R), i->osz);
}

static EMU_INLINE void rm_write(struct emu_cpu *c, const struct insn *i, uint64_t v)
{
	if (i->mod == 3)
		reg_set(c, i->rm, i->osz, v);
	else
		mem_write(c, insn_addr(c, i, i->osz, ACC_W), i->osz, v);
}

/* --- stack ----------------------------------------------------------------- */
static inline uint64_t sp_mask(const struct emu_cpu *c)
{
	return size_mask(c->stack_size);
}

static inline void push(struct emu_cpu *c, unsigned sz, uint64_t v)
{
	uint64_t m = sp_mask(c);
	uint64_t sp = (c->r[R_SP] - sz) & m;
	mem_write(c, seg_addr(c, S_SS, sp, sz, ACC_W), sz, v);
	c->r[R_SP] = (c->r[R_SP] & ~m) | sp;
}

static inline uint64_t pop(struct emu_cpu *c, unsigned sz)
{
	uint64_t m = sp_mask(c);
	uint64_t sp = c->r[R_SP] & m;
	uint64_t v = mem_read(c, seg_addr(c, S_SS, sp, sz, ACC_R), sz);
	c->r[R_SP] = (c->r[R_SP] & ~m) | ((sp + sz) & m);
	return v;
}

/* Reads a value at SP+off without moving SP (for multi-pop instructions). */
static inline uint64_t stack_peek(struct emu_cpu *c, unsigned off, unsigned sz)
{
	uint64_t sp = (c->r[R_SP] + off) & sp_mask(c);
	return mem_read(c, seg_addr(c, S_SS, sp, sz, ACC_R), sz);
}

/* --- segments / modes (seg.c) ---------------------------------------------- */
void cpu_update_mode(struct emu_cpu *c);
void seg_load_real(struct emu_cpu *c, unsigned s, uint16_t sel);
/* Protected-mode segment register load with all checks (MOV/POP Sreg, LDS...). */
void seg_load(struct emu_cpu *c, unsigned s, uint16_t sel);
bool desc_read(struct emu_cpu *c, uint16_t sel, uint64_t *lo, uint64_t *hi, bool sys16);
void desc_to_seg(struct kvm_segment *s, uint16_t sel, uint64_t lo, uint64_t hi);
void desc_set_accessed(struct emu_cpu *c, uint16_t sel, uint64_t lo);
void seg_null(struct kvm_segment *s, uint16_t sel);
void do_iret(struct emu_cpu *c, unsigned osz);
void seg_set_cpl(struct emu_cpu *c, unsigned cpl);

/* --- far transfers (gate.c) ---------------------------------------------------- */
void far_jump(struct emu_cpu *c, uint16_t sel, uint64_t off, unsigned osz);
void far_call(struct emu_cpu *c, uint16_t sel, uint64_t off, unsigned osz);
void far_ret(struct emu_cpu *c, unsigned osz, unsigned extra);
/* Nulls DS/ES/FS/GS that the (new, outer) CPL may not use. */
void seg_null_outer(struct emu_cpu *c);
/* Sets SP/ESP/RSP as wide as the current stack segment. */
void seg_set_sp(struct emu_cpu *c, uint64_t v);

/* --- task switches (task.c) ------------------------------------------------------ */
enum task_reason { TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT };
/* Far JMP/CALL to a TSS descriptor or task gate (lo: its descriptor). */
void task_switch_far(struct emu_cpu *c, uint16_t sel, uint64_t lo, enum task_reason why);
/* An interrupt or exception through a task gate naming TSS selector tss. */
void task_switch_gate(struct emu_cpu *c, uint16_t tss, uint64_t ret_rip, uint32_t ext, bool has_err, uint32_t err);
/* IRET with EFLAGS.NT: back to the task in the back link. */
void task_return(struct emu_cpu *c);

/* --- virtual-8086 mode (v86.c) ----------------------------------------------------- */
/* A segment register load in v8086 mode: base sel * 16, limit 64 KiB, DPL 3. */
void v86_load_seg(struct emu_cpu *c, unsigned s, uint16_t sel);
/* IRET from CPL 0 with VM set in the popped EFLAGS. */
void v86_iret_enter(struct emu_cpu *c);
/* IRET inside v8086 mode (#GP(0) unless IOPL is 3). */
void v86_iret(struct emu_cpu *c, unsigned osz);

/* --- interrupts (excp.c) ------------------------------------------------------ */
/* Delivers vector through the IDT/IVT. soft: INT n (DPL check, RIP after). */
void intr_deliver(struct emu_cpu *c, unsigned vec, bool soft, bool has_err, uint32_t err, uint64_t ret_rip);

/* --- system (sys.c) ------------------------------------------------------------ */
void cpuid_query(struct emu_cpu *c, uint32_t leaf, uint32_t sub, uint32_t out[4]);
bool msr_read(struct emu_cpu *c, uint32_t idx, uint64_t *v);
bool msr_write(struct emu_cpu *c, uint32_t idx, uint64_t v);
void cr_write(struct emu_cpu *c, unsigned n, uint64_t v);
uint64_t emu_tsc(struct emu_cpu *c);
bool io_allowed(struct emu_cpu *c, uint16_t port, unsigned len);
uint64_t io_in(struct emu_cpu *c, uint16_t port, unsigned len);
void io_out(struct emu_cpu *c, uint16_t port, unsigned len, uint64_t v);

/* --- decoded blocks (block.c) ----------------------------------------------- */
void block_cache_init(struct emu_vm *vm);
void block_cache_fini(struct emu_vm *vm);
/* The block at c->rip (may raise #PF/#GP for the fetch): block_fetch is
 * the run loop's inline fast path (a successor of the last block, trusted
 * as it stands), block_fetch_slow everything else. */
struct block *block_fetch_slow(struct emu_cpu *c);
/* Exactly one instruction at c->rip, never fused (single-step, shadows). */
struct block *block_fetch_one(struct emu_cpu *c);
/* ops_fused.c: the fused compare-and-branch handler for i->fn, or NULL */
insn_fn *fused_jcc_for(const struct insn *i);

static inline struct block *block_fetch(struct emu_cpu *c)
{
	struct block *p = c->last_block;
	uint64_t lin = (c->segbase[S_CS] + c->rip) & c->lin_mask;
	const struct tlb_entry *e = &c->tlbc[(lin >> 12) & (TLB_SIZE - 1)];
	if (likely(p != NULL && e->tag_x == (lin & ~0xfffULL))) {
		uint64_t phys = e->phys | (lin & 0xfff);
		uint64_t key = phys * 4 + (c->code_size >> 1);
		struct block *b = p->succ[0];
		if (!b || b->key != key)
			b = p->succ[1];
		if (likely(b && b->key == key && b->gen == c->vm->page_code[phys >> 12] &&
			   b->epoch == c->vm->epoch)) {
			c->stats.blocks++;
			c->last_block = b;
			return b;
		}
	}
	return block_fetch_slow(c);
}
/* block_fetch under a CS limit (seg_limit.c): #GP(0) for a fetch beyond it. */
const struct block *seg_block_fetch(struct emu_cpu *c);

/* --- decoder (decode.c) --------------------------------------------------------- */
/* Decodes one instruction from `bytes` (avail bytes valid). Returns the length,
 * 0 when more bytes are needed than available, or -1 for #UD. */
int emu_decode(struct insn *i, const uint8_t *bytes, unsigned avail, unsigned code_size);
/* Only the length (for the decoder cross-check test); -1 if invalid. */
int emu_insn_length(const uint8_t *bytes, unsigned avail, unsigned code_size);

/* handler tables (ops_*.c) */
extern insn_fn op_ud;

#endif
