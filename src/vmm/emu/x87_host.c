/* x87 execution on the host FPU.
 *
 * The guest's whole x87 state is put into the host FPU with FRSTOR, the
 * guest's own instruction encoding (opcode + ModRM, memory operand at [rsi]
 * = the core's buffer) runs once, and FNSAVE takes the state back. So stack
 * faults, tags, TOP, condition codes, precision/rounding control, masked
 * responses and unmasked ones (destination kept, ES set, pending #MF) are
 * the hardware's own. A pending exception never traps on the host: a waiting
 * instruction only runs when the guest's FSW.ES is clear (otherwise exec
 * returns #MF first), and FNSAVE does not wait. FNSAVE leaves the host FPU
 * initialised; the host's control word is put back.
 *
 * FOP/FIP/FDP are guest values kept in C (the host would record its own). */
#include "vmm/emu/x87_int.h"

struct x87_run {
	uint8_t img[108];  /* FSAVE image, 32-bit protected-mode format */
	uint8_t *mem;
	uint64_t rax;      /* in: AH = guest EFLAGS[7:0] (FCMOVcc) */
	uint16_t ax;       /* out: AX after the instruction (FNSTSW AX) */
	uint8_t flags;     /* out: EFLAGS[7:0] after the instruction (FCOMI) */
};

#define X87_ASM(bytes, r, K)                                                            \
	do {                                                                            \
		uint16_t hcw_;                                                          \
		asm volatile("fnstcw %[hcw]\n\t"                                        \
			     "frstor %[img]\n\t"                                        \
			     "sahf\n\t" bytes "\n\t"                                    \
			     "mov %%ax, %[ax]\n\tlahf\n\tmov %%ah, %[fl]\n\t"        \
			     "fnsave %[img]\n\t"                                        \
			     "fldcw %[hcw]"                                             \
			     : [img] "+m"(r->img), [hcw] "=m"(hcw_), "+a"(r->rax),      \
			       [ax] "=m"(r->ax), [fl] "=m"(r->flags)                    \
			     : "S"(r->mem), [k] "i"(K)                                  \
			     : "memory", "cc");                                         \
	} while (0)

typedef void (*x87_hostfn)(struct x87_run *r, unsigned i);

/* memory forms: ModRM mod=00 rm=110 is [rsi] */
#define MEMF(tok, op, rf)                                                               \
	static void x87m_##tok##_##rf(struct x87_run *r, unsigned i)                    \
	{                                                                               \
		(void)i;                                                                \
		X87_ASM(".byte " #op ", (" #rf " << 3) | 6", r, 0);                     \
	}
#define MEMF8(tok, op) MEMF(tok, op, 0) MEMF(tok, op, 1) MEMF(tok, op, 2) MEMF(tok, op, 3) \
	MEMF(tok, op, 4) MEMF(tok, op, 5) MEMF(tok, op, 6) MEMF(tok, op, 7)

/* register forms: one asm per ST(i) */
#define REGC(op, rf, k)                                                                 \
	case k:                                                                         \
		X87_ASM(".byte " #op ", 0xc0 | (" #rf " << 3) | %c[k]", r, k);          \
		break;
#define REGF(tok, op, rf)                                                               \
	static void x87r_##tok##_##rf(struct x87_run *r, unsigned i)                    \
	{                                                                               \
		switch (i & 7) {                                                        \
			REGC(op, rf, 0) REGC(op, rf, 1) REGC(op, rf, 2) REGC(op, rf, 3) \
			REGC(op, rf, 4) REGC(op, rf, 5) REGC(op, rf, 6) REGC(op, rf, 7) \
		}                                                                       \
	}
#define REGF8(tok, op) REGF(tok, op, 0) REGF(tok, op, 1) REGF(tok, op, 2) REGF(tok, op, 3) \
	REGF(tok, op, 4) REGF(tok, op, 5) REGF(tok, op, 6) REGF(tok, op, 7)

MEMF8(d8, 0xd8) MEMF8(d9, 0xd9) MEMF8(da, 0xda) MEMF8(db, 0xdb)
MEMF8(dc, 0xdc) MEMF8(dd, 0xdd) MEMF8(de, 0xde) MEMF8(df, 0xdf)
REGF8(d8, 0xd8) REGF8(d9, 0xd9) REGF8(da, 0xda) REGF8(db, 0xdb)
REGF8(dc, 0xdc) REGF8(dd, 0xdd) REGF8(de, 0xde) REGF8(df, 0xdf)

/* 16-bit environment formats of FLDENV/FNSTENV/FRSTOR/FNSAVE */
static void x87m16_d9_4(struct x87_run *r, unsigned i) { (void)i; X87_ASM(".byte 0x66, 0xd9, (4 << 3) | 6", r, 0); }
static void x87m16_d9_6(struct x87_run *r, unsigned i) { (void)i; X87_ASM(".byte 0x66, 0xd9, (6 << 3) | 6", r, 0); }
static void x87m16_dd_4(struct x87_run *r, unsigned i) { (void)i; X87_ASM(".byte 0x66, 0xdd, (4 << 3) | 6", r, 0); }
static void x87m16_dd_6(struct x87_run *r, unsigned i) { (void)i; X87_ASM(".byte 0x66, 0xdd, (6 << 3) | 6", r, 0); }

#define ROW(kind, tok) { kind##_##tok##_0, kind##_##tok##_1, kind##_##tok##_2, kind##_##tok##_3, \
			 kind##_##tok##_4, kind##_##tok##_5, kind##_##tok##_6, kind##_##tok##_7 }
static const x87_hostfn mem_fns[8][8] = {
	ROW(x87m, d8), ROW(x87m, d9), ROW(x87m, da), ROW(x87m, db),
	ROW(x87m, dc), ROW(x87m, dd), ROW(x87m, de), ROW(x87m, df),
};
static const x87_hostfn reg_fns[8][8] = {
	ROW(x87r, d8), ROW(x87r, d9), ROW(x87r, da), ROW(x87r, db),
	ROW(x87r, dc), ROW(x87r, dd), ROW(x87r, de), ROW(x87r, df),
};

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static void image_from_state(const struct fpu_state *f, uint8_t *m)
{
	memset(m, 0, 28);
	put16(m + 0, f->fcw);
	put16(m + 4, f->fsw);
	put16(m + 8, f->ftw);
	unsigned top = fpu_top(f);
	for (unsigned i = 0; i < 8; i++)
		memcpy(m + 28 + 10 * i, f->r[(top + i) & 7], 10);
}

static void state_from_image(struct fpu_state *f, const uint8_t *m)
{
	f->fcw = get16(m + 0);
	f->fsw = get16(m + 4);
	f->ftw = get16(m + 8);
	unsigned top = fpu_top(f);
	for (unsigned i = 0; i < 8; i++) {
		memset(f->r[(top + i) & 7], 0, 16);
		memcpy(f->r[(top + i) & 7], m + 28 + 10 * i, 10);
	}
}

/* Pointer fields of an FSTENV/FSAVE image (protected-mode layouts). FCS/FDS
 * are stored as 0, as CPUs with "FCS/FDS deprecated" do. */
static void env_put_pointers(const struct fpu_state *f, uint8_t *m, bool o16)
{
	if (o16) {
		put16(m + 6, (uint16_t)f->fip);
		put16(m + 8, 0);
		put16(m + 10, (uint16_t)f->fdp);
		put16(m + 12, 0);
	} else {
		put32(m + 12, (uint32_t)f->fip);
		put32(m + 16, (uint32_t)f->fop << 16);
		put32(m + 20, (uint32_t)f->fdp);
		put16(m + 24, 0);
	}
}

static void env_get_pointers(struct fpu_state *f, const uint8_t *m, bool o16)
{
	if (o16) {
		f->fip = get16(m + 6);
		f->fdp = get16(m + 10);
		f->fop = 0;
	} else {
		f->fip = get32(m + 12);
		f->fop = (get32(m + 16) >> 16) & 0x7ff;
		f->fdp = get32(m + 20);
	}
	f->fcs = f->fds = 0;
}

int x87_exec(struct fpu_state *f, struct x87_insn *in)
{
	unsigned props = x87_props(in->opcode, in->modrm);
	/* Also checks the flags against the masks, so that the host can never
	 * meet a pending exception at a waiting instruction. */
	if (!(props & X87F_NOWAIT) && ((f->fsw & FSW_ES) || (f->fsw & ~f->fcw & 0x3f)))
		return FPU_VEC_MF;
	bool is_reg = (in->modrm >> 6) == 3;
	unsigned op = in->opcode & 7, rf = (in->modrm >> 3) & 7;
	x87_hostfn h = is_reg ? reg_fns[op][rf] : mem_fns[op][rf];
	if (!is_reg && in->opsize16 && (rf == 4 || rf == 6) && (op == 1 || op == 5)) {
		static const x87_hostfn env16[2][2] = { { x87m16_d9_4, x87m16_d9_6 },
							{ x87m16_dd_4, x87m16_dd_6 } };
		h = env16[op == 5][rf == 6];
	}
	struct x87_run r;
	image_from_state(f, r.img);
	r.mem = in->mem;
	r.rax = (in->rflags ? (*in->rflags & 0xff) : 0) << 8;
	h(&r, in->modrm & 7);
	state_from_image(f, r.img);

	if (props & X87F_STORE_ENV)
		env_put_pointers(f, in->mem, in->opsize16);
	if (props & X87F_LOAD_ENV)
		env_get_pointers(f, in->mem, in->opsize16);
	if (props & X87F_INIT)
		f->fop = 0, f->fip = f->fdp = 0;
	if (!(props & X87F_CONTROL)) {
		f->fop = (uint16_t)(((in->opcode & 7) << 8) | in->modrm);
		f->fip = in->fip;
		if (!is_reg)
			f->fdp = in->fdp;
	}
	if (is_reg && in->opcode == 0xdf && in->modrm == 0xe0 && in->ax)
		*in->ax = r.ax;
	/* FCOMI/FCOMIP/FUCOMI/FUCOMIP: ZF, PF, CF from the compare, OF/SF/AF
	 * cleared (also when an unmasked invalid operation is raised). */
	if (is_reg && (in->opcode == 0xdb || in->opcode == 0xdf) && (rf == 5 || rf == 6) && in->rflags) {
		uint64_t fl = *in->rflags & ~(uint64_t)(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF |
						       RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF);
		*in->rflags = fl | (r.flags & (RFLAGS_CF | RFLAGS_PF | RFLAGS_ZF));
	}
	return 0;
}
