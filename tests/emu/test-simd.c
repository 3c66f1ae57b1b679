/* SSE/SSE2 semantics, differential against the host CPU: every form is
 * encoded as real instruction bytes, run natively (native_stub.h) and through
 * simd_lookup()/exec on the same random operands, MXCSR (rounding, FTZ, DAZ,
 * masks, sticky flags) and EFLAGS; registers, memory, MXCSR, EFLAGS and the
 * #XM decision are compared bit for bit. */
#include <glib.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include "vmm/emu/fpu.h"
#include "tests/emu/native_stub.h"

enum kind { K_PS, K_PD, K_INT, K_SHIFT, K_GPR_PS, K_GPR_PD };

struct form {
	const char *name;
	uint8_t prefix, opcode, modrm; /* register-form ModRM (mod=3) */
	uint8_t mem;                   /* memory form size (0: register form only) */
	uint8_t flags;                 /* F_* */
	uint8_t kind;
};
#define F_IMM 1      /* has imm8 */
#define F_W 2        /* also test with REX.W */
#define F_EFL 4      /* writes EFLAGS */
#define F_MEMONLY 8  /* no register form */
#define F_SMALLIMM 16
#define F_WMEM 32    /* memory operand is 8 bytes with REX.W */

#define FP4(n, op, mod, fl)                                                  \
	{ n "ps", 0, op, mod, 16, fl, K_PS }, { n "pd", 0x66, op, mod, 16, fl, K_PD }, \
	{ n "ss", 0xf3, op, mod, 4, fl, K_PS }, { n "sd", 0xf2, op, mod, 8, fl, K_PD }
#define I66(n, op) { n, 0x66, op, 0xc1, 16, 0, K_INT }
#define S66(n, op) { n, 0x66, op, 0xc1, 16, 0, K_SHIFT }
#define SIMM(n, op, digit) { n, 0x66, op, (uint8_t)(0xc1 | ((digit) << 3)), 0, F_IMM | F_SMALLIMM, K_INT }

static const struct form forms[] = {
	FP4("add", 0x58, 0xc1, 0), FP4("mul", 0x59, 0xc1, 0), FP4("sub", 0x5c, 0xc1, 0),
	FP4("min", 0x5d, 0xc1, 0), FP4("div", 0x5e, 0xc1, 0), FP4("max", 0x5f, 0xc1, 0),
	FP4("sqrt", 0x51, 0xc1, 0), FP4("cmp", 0xc2, 0xc1, F_IMM),
	{ "rsqrtps", 0, 0x52, 0xc1, 16, 0, K_PS }, { "rsqrtss", 0xf3, 0x52, 0xc1, 4, 0, K_PS },
	{ "rcpps", 0, 0x53, 0xc1, 16, 0, K_PS }, { "rcpss", 0xf3, 0x53, 0xc1, 4, 0, K_PS },
	{ "andps", 0, 0x54, 0xc1, 16, 0, K_PS }, { "andpd", 0x66, 0x54, 0xc1, 16, 0, K_PD },
	{ "andnps", 0, 0x55, 0xc1, 16, 0, K_PS }, { "andnpd", 0x66, 0x55, 0xc1, 16, 0, K_PD },
	{ "orps", 0, 0x56, 0xc1, 16, 0, K_PS }, { "orpd", 0x66, 0x56, 0xc1, 16, 0, K_PD },
	{ "xorps", 0, 0x57, 0xc1, 16, 0, K_PS }, { "xorpd", 0x66, 0x57, 0xc1, 16, 0, K_PD },
	{ "ucomiss", 0, 0x2e, 0xc1, 4, F_EFL, K_PS }, { "ucomisd", 0x66, 0x2e, 0xc1, 8, F_EFL, K_PD },
	{ "comiss", 0, 0x2f, 0xc1, 4, F_EFL, K_PS }, { "comisd", 0x66, 0x2f, 0xc1, 8, F_EFL, K_PD },
	{ "cvtps2pd", 0, 0x5a, 0xc1, 8, 0, K_PS }, { "cvtpd2ps", 0x66, 0x5a, 0xc1, 16, 0, K_PD },
	{ "cvtss2sd", 0xf3, 0x5a, 0xc1, 4, 0, K_PS }, { "cvtsd2ss", 0xf2, 0x5a, 0xc1, 8, 0, K_PD },
	{ "cvtdq2ps", 0, 0x5b, 0xc1, 16, 0, K_INT }, { "cvtps2dq", 0x66, 0x5b, 0xc1, 16, 0, K_PS },
	{ "cvttps2dq", 0xf3, 0x5b, 0xc1, 16, 0, K_PS }, { "cvttpd2dq", 0x66, 0xe6, 0xc1, 16, 0, K_PD },
	{ "cvtpd2dq", 0xf2, 0xe6, 0xc1, 16, 0, K_PD }, { "cvtdq2pd", 0xf3, 0xe6, 0xc1, 8, 0, K_INT },
	{ "cvtsi2ss", 0xf3, 0x2a, 0xc0, 4, F_W | F_WMEM, K_GPR_PS }, { "cvtsi2sd", 0xf2, 0x2a, 0xc0, 4, F_W | F_WMEM, K_GPR_PD },
	{ "cvttss2si", 0xf3, 0x2c, 0xc1, 4, F_W, K_PS }, { "cvttsd2si", 0xf2, 0x2c, 0xc1, 8, F_W, K_PD },
	{ "cvtss2si", 0xf3, 0x2d, 0xc1, 4, F_W, K_PS }, { "cvtsd2si", 0xf2, 0x2d, 0xc1, 8, F_W, K_PD },
	{ "movups", 0, 0x10, 0xc1, 16, 0, K_INT }, { "movupd", 0x66, 0x10, 0xc1, 16, 0, K_INT },
	{ "movss", 0xf3, 0x10, 0xc1, 4, 0, K_INT }, { "movsd", 0xf2, 0x10, 0xc1, 8, 0, K_INT },
	{ "movups-st", 0, 0x11, 0xc1, 16, 0, K_INT }, { "movupd-st", 0x66, 0x11, 0xc1, 16, 0, K_INT },
	{ "movss-st", 0xf3, 0x11, 0xc1, 4, 0, K_INT }, { "movsd-st", 0xf2, 0x11, 0xc1, 8, 0, K_INT },
	{ "movlps/movhlps", 0, 0x12, 0xc1, 8, 0, K_INT }, { "movlpd", 0x66, 0x12, 0xc1, 8, F_MEMONLY, K_INT },
	{ "movlps-st", 0, 0x13, 0xc1, 8, F_MEMONLY, K_INT }, { "movlpd-st", 0x66, 0x13, 0xc1, 8, F_MEMONLY, K_INT },
	{ "unpcklps", 0, 0x14, 0xc1, 16, 0, K_INT }, { "unpcklpd", 0x66, 0x14, 0xc1, 16, 0, K_INT },
	{ "unpckhps", 0, 0x15, 0xc1, 16, 0, K_INT }, { "unpckhpd", 0x66, 0x15, 0xc1, 16, 0, K_INT },
	{ "movhps/movlhps", 0, 0x16, 0xc1, 8, 0, K_INT }, { "movhpd", 0x66, 0x16, 0xc1, 8, F_MEMONLY, K_INT },
	{ "movhps-st", 0, 0x17, 0xc1, 8, F_MEMONLY, K_INT }, { "movhpd-st", 0x66, 0x17, 0xc1, 8, F_MEMONLY, K_INT },
	{ "movaps", 0, 0x28, 0xc1, 16, 0, K_INT }, { "movapd", 0x66, 0x28, 0xc1, 16, 0, K_INT },
	{ "movaps-st", 0, 0x29, 0xc1, 16, 0, K_INT }, { "movapd-st", 0x66, 0x29, 0xc1, 16, 0, K_INT },
	{ "movntps", 0, 0x2b, 0xc1, 16, F_MEMONLY, K_INT }, { "movntpd", 0x66, 0x2b, 0xc1, 16, F_MEMONLY, K_INT },
	{ "movmskps", 0, 0x50, 0xc1, 0, 0, K_PS }, { "movmskpd", 0x66, 0x50, 0xc1, 0, 0, K_PD },
	{ "movd/q-to-xmm", 0x66, 0x6e, 0xc0, 4, F_W | F_WMEM, K_INT }, { "movd/q-from-xmm", 0x66, 0x7e, 0xc0, 4, F_W | F_WMEM, K_INT },
	{ "movdqa", 0x66, 0x6f, 0xc1, 16, 0, K_INT }, { "movdqu", 0xf3, 0x6f, 0xc1, 16, 0, K_INT },
	{ "movdqa-st", 0x66, 0x7f, 0xc1, 16, 0, K_INT }, { "movdqu-st", 0xf3, 0x7f, 0xc1, 16, 0, K_INT },
	{ "movq-load", 0xf3, 0x7e, 0xc1, 8, 0, K_INT }, { "movq-st", 0x66, 0xd6, 0xc1, 8, 0, K_INT },
	{ "movntdq", 0x66, 0xe7, 0xc1, 16, F_MEMONLY, K_INT },
	{ "pshufd", 0x66, 0x70, 0xc1, 16, F_IMM, K_INT }, { "pshufhw", 0xf3, 0x70, 0xc1, 16, F_IMM, K_INT },
	{ "pshuflw", 0xf2, 0x70, 0xc1, 16, F_IMM, K_INT },
	{ "shufps", 0, 0xc6, 0xc1, 16, F_IMM, K_INT }, { "shufpd", 0x66, 0xc6, 0xc1, 16, F_IMM, K_INT },
	{ "pinsrw", 0x66, 0xc4, 0xc0, 2, F_IMM, K_INT }, { "pextrw", 0x66, 0xc5, 0xc1, 0, F_IMM, K_INT },
	{ "pmovmskb", 0x66, 0xd7, 0xc1, 0, 0, K_INT },
	I66("punpcklbw", 0x60), I66("punpcklwd", 0x61), I66("punpckldq", 0x62), I66("packsswb", 0x63),
	I66("pcmpgtb", 0x64), I66("pcmpgtw", 0x65), I66("pcmpgtd", 0x66), I66("packuswb", 0x67),
	I66("punpckhbw", 0x68), I66("punpckhwd", 0x69), I66("punpckhdq", 0x6a), I66("packssdw", 0x6b),
	I66("punpcklqdq", 0x6c), I66("punpckhqdq", 0x6d),
	I66("pcmpeqb", 0x74), I66("pcmpeqw", 0x75), I66("pcmpeqd", 0x76),
	S66("psrlw", 0xd1), S66("psrld", 0xd2), S66("psrlq", 0xd3), I66("paddq", 0xd4), I66("pmullw", 0xd5),
	I66("psubusb", 0xd8), I66("psubusw", 0xd9), I66("pminub", 0xda), I66("pand", 0xdb),
	I66("paddusb", 0xdc), I66("paddusw", 0xdd), I66("pmaxub", 0xde), I66("pandn", 0xdf),
	I66("pavgb", 0xe0), S66("psraw", 0xe1), S66("psrad", 0xe2), I66("pavgw", 0xe3),
	I66("pmulhuw", 0xe4), I66("pmulhw", 0xe5),
	I66("psubsb", 0xe8), I66("psubsw", 0xe9), I66("pminsw", 0xea), I66("por", 0xeb),
	I66("paddsb", 0xec), I66("paddsw", 0xed), I66("pmaxsw", 0xee), I66("pxor", 0xef),
	S66("psllw", 0xf1), S66("pslld", 0xf2), S66("psllq", 0xf3), I66("pmuludq", 0xf4),
	I66("pmaddwd", 0xf5), I66("psadbw", 0xf6),
	I66("psubb", 0xf8), I66("psubw", 0xf9), I66("psubd", 0xfa), I66("psubq", 0xfb),
	I66("paddb", 0xfc), I66("paddw", 0xfd), I66("paddd", 0xfe),
	SIMM("psrlw-imm", 0x71, 2), SIMM("psraw-imm", 0x71, 4), SIMM("psllw-imm", 0x71, 6),
	SIMM("psrld-imm", 0x72, 2), SIMM("psrad-imm", 0x72, 4), SIMM("pslld-imm", 0x72, 6),
	SIMM("psrlq-imm", 0x73, 2), SIMM("psrldq", 0x73, 3), SIMM("psllq-imm", 0x73, 6), SIMM("pslldq", 0x73, 7),
};

/* Native context; offsets are baked into the stub below. */
struct nctx {
	uint8_t x0[16];     /* 0x00 */
	uint8_t x1[16];     /* 0x10 */
	uint8_t mem[16];    /* 0x20, [rsi] */
	uint64_t rax, rcx;  /* 0x30, 0x38 */
	uint32_t mxcsr, pad; /* 0x40 */
	uint64_t rflags;    /* 0x48 */
} __attribute__((aligned(16)));

static const uint8_t stub_pre[] = {
	0x48, 0x8d, 0x77, 0x20,       /* lea rsi, [rdi+0x20] */
	0x0f, 0xae, 0x57, 0x40,       /* ldmxcsr [rdi+0x40] */
	0xf3, 0x0f, 0x6f, 0x07,       /* movdqu xmm0, [rdi] */
	0xf3, 0x0f, 0x6f, 0x4f, 0x10, /* movdqu xmm1, [rdi+0x10] */
	0x48, 0x8b, 0x47, 0x30,       /* mov rax, [rdi+0x30] */
	0x48, 0x8b, 0x4f, 0x38,       /* mov rcx, [rdi+0x38] */
	0xff, 0x77, 0x48, 0x9d,       /* push [rdi+0x48]; popfq */
};
static const uint8_t stub_post[] = {
	0x9c, 0x8f, 0x47, 0x48,       /* pushfq; pop [rdi+0x48] */
	0x48, 0x89, 0x47, 0x30,       /* mov [rdi+0x30], rax */
	0x48, 0x89, 0x4f, 0x38,       /* mov [rdi+0x38], rcx */
	0xf3, 0x0f, 0x7f, 0x07,       /* movdqu [rdi], xmm0 */
	0xf3, 0x0f, 0x7f, 0x4f, 0x10, /* movdqu [rdi+0x10], xmm1 */
	0x0f, 0xae, 0x5f, 0x40,       /* stmxcsr [rdi+0x40] */
	0xc3,
};

static struct native_page page;
static sigjmp_buf fpe_jmp;
static volatile uint32_t fpe_mxcsr;

static void on_sigfpe(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	fpe_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
	siglongjmp(fpe_jmp, 1);
}

/* Runs fn natively; returns 19 if it raised #XM (SIGFPE), else 0. */
static int run_native(native_fn fn, struct nctx *c)
{
	uint32_t host_mx;
	asm volatile("stmxcsr %0" : "=m"(host_mx));
	if (sigsetjmp(fpe_jmp, 1)) {
		asm volatile("ldmxcsr %0" : : "m"(host_mx));
		c->mxcsr = fpe_mxcsr;
		return 19;
	}
	fn(c);
	asm volatile("ldmxcsr %0" : : "m"(host_mx));
	return 0;
}

/* ---- operand generators ---- */
static uint32_t rand_f32(GRand *r)
{
	static const uint32_t special[] = {
		0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff,
		0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00000, 0xff800001, 0x3f800000,
		0xbf800000, 0x4f000000, 0xcf000000, 0x5f000000, 0xdf000000, 0x3f000000, 0x3fc00000,
		0x4effffff, 0xcf000001, 0x0f800000, 0x1f800000, 0x00400000,
	};
	switch (g_rand_int_range(r, 0, 4)) {
	case 0: return special[g_rand_int_range(r, 0, G_N_ELEMENTS(special))];
	case 1: return g_rand_int(r);
	default: { /* moderate magnitudes, so arithmetic has interesting rounding */
		uint32_t exp = (uint32_t)g_rand_int_range(r, 127 - 40, 127 + 40);
		return (g_rand_int(r) & 0x807fffff) | (exp << 23);
	}
	}
}

static uint64_t rand_f64(GRand *r)
{
	static const uint64_t special[] = {
		0, 0x8000000000000000, 1, 0x800fffffffffffff, 0x0010000000000000, 0x7fefffffffffffff,
		0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0xfff8000000000000,
		0x7ff4000000000000, 0xfff0000000000001, 0x3ff0000000000000, 0xbff0000000000000,
		0x41e0000000000000, 0xc1e0000000000000, 0x41dfffffffc00000, 0xc1e0000000200000,
		0x43e0000000000000, 0xc3e0000000000000, 0x3fe0000000000000, 0x3ff8000000000000,
		0x36a0000000000000, 0x47efffffe0000000, 0x3800000000000000, 0x0008000000000000,
	};
	switch (g_rand_int_range(r, 0, 4)) {
	case 0: return special[g_rand_int_range(r, 0, G_N_ELEMENTS(special))];
	case 1: return ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
	default: {
		uint64_t exp = (uint64_t)g_rand_int_range(r, 1023 - 60, 1023 + 60);
		uint64_t m = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
		return (m & 0x800fffffffffffffull) | (exp << 52);
	}
	}
}

static uint64_t rand_int64(GRand *r)
{
	static const uint64_t special[] = {
		0, 1, ~0ull, 0x7fffffff, 0x80000000, 0xffffffff80000000ull, 0x7fffffffffffffffull,
		0x8000000000000000ull, 0x00ff00ff00ff00ffull, 0x8080808080808080ull, 0x7f7f7f7f7f7f7f7full,
		0x0000ffff0000ffffull, 0x8000800080008000ull, 0x1000001, 0x20000000000001ull,
	};
	if (g_rand_int_range(r, 0, 3) == 0)
		return special[g_rand_int_range(r, 0, G_N_ELEMENTS(special))];
	return ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
}

static void fill(uint8_t *v, enum kind k, GRand *r)
{
	for (unsigned i = 0; i < 16; i += 8) {
		uint64_t q;
		if (k == K_PS || k == K_GPR_PS)
			q = rand_f32(r) | ((uint64_t)rand_f32(r) << 32);
		else if (k == K_PD || k == K_GPR_PD)
			q = rand_f64(r);
		else
			q = rand_int64(r);
		memcpy(v + i, &q, 8);
	}
	/* sometimes make the two operands related (equal elements, compares) */
}

static uint32_t rand_mxcsr(GRand *r)
{
	uint32_t m = 0x1f80 | (g_rand_int(r) & 0x6000);  /* rounding */
	if (g_rand_boolean(r))
		m |= 0x8000;                               /* FTZ */
	if (g_rand_boolean(r))
		m |= 0x40;                                 /* DAZ */
	if (g_rand_int_range(r, 0, 4) == 0)
		m &= ~(g_rand_int(r) & 0x1f80);            /* some exceptions unmasked */
	if (g_rand_int_range(r, 0, 4) == 0)
		m |= g_rand_int(r) & 0x3f;                 /* sticky flags already set */
	return m;
}

/* FPU_TEST_SEED=n reruns the differential test with other operands. */
static guint32 test_seed(guint32 dflt)
{
	const char *s = g_getenv("FPU_TEST_SEED");
	return s ? (guint32)g_ascii_strtoull(s, NULL, 0) : dflt;
}

static unsigned total_cases, total_forms, total_xm;

static void run_form(const struct form *fm, bool memform, bool rexw, bool same_reg, GRand *r, unsigned ncases)
{
	uint8_t modrm = memform ? (uint8_t)((fm->modrm & 0x38) | 0x06) : fm->modrm;
	if (same_reg)  /* rm = reg = 0: source and destination are one register */
		modrm &= 0xf8;
	uint8_t insn[16];
	size_t n = 0;
	if (fm->prefix)
		insn[n++] = fm->prefix;
	if (rexw)
		insn[n++] = 0x48;
	insn[n++] = 0x0f;
	insn[n++] = fm->opcode;
	insn[n++] = modrm;
	size_t imm_at = n;
	if (fm->flags & F_IMM)
		insn[n++] = 0;
	const struct simd_op *op = simd_lookup(fm->prefix, 1, fm->opcode, modrm);
	if (!op)
		g_error("%s (%s): simd_lookup gave NULL", fm->name, memform ? "mem" : "reg");
	/* legacy SSE: 16-byte memory operands must be aligned, except the explicit unaligned moves */
	bool unaligned_ok = ((fm->opcode == 0x10 || fm->opcode == 0x11) && fm->prefix != 0xf3 && fm->prefix != 0xf2) ||
			    ((fm->opcode == 0x6f || fm->opcode == 0x7f) && fm->prefix == 0xf3);
	if (memform && op->mem_size == 16 && !!(op->flags & SIMD_ALIGN16) == unaligned_ok)
		g_error("%s: SIMD_ALIGN16 flag wrong", fm->name);
	if (memform && op->mem_size < 16 && (op->flags & SIMD_ALIGN16))
		g_error("%s: SIMD_ALIGN16 on a %u-byte operand", fm->name, op->mem_size);
	struct simd_insn probe = { .rex_w = rexw };
	if (memform && simd_mem_size(op, &probe) != ((rexw && (fm->flags & F_WMEM)) ? 8u : fm->mem))
		g_error("%s: memory size %u", fm->name, simd_mem_size(op, &probe));

	native_fn fns[256];
	unsigned nimm = (fm->flags & F_IMM) ? 256 : 1;
	for (unsigned i = 0; i < nimm; i++) {
		insn[imm_at] = (uint8_t)i;
		fns[i] = native_build(&page, stub_pre, sizeof(stub_pre), insn, n, stub_post, sizeof(stub_post));
	}
	total_forms++;
	for (unsigned c = 0; c < ncases; c++) {
		struct nctx in, nat;
		memset(&in, 0, sizeof(in));
		fill(in.x0, fm->kind, r);
		fill(in.x1, fm->kind, r);
		fill(in.mem, fm->kind, r);
		if (g_rand_int_range(r, 0, 8) == 0)
			memcpy(in.x1, in.x0, 16);
		in.rax = rand_int64(r);
		if (fm->kind == K_GPR_PS || fm->kind == K_GPR_PD) {
			if (g_rand_boolean(r))
				in.rax = (uint64_t)(int64_t)(int32_t)g_rand_int(r);
		}
		in.rcx = rand_int64(r);
		in.mxcsr = rand_mxcsr(r);
		in.rflags = 0x202 | (g_rand_int(r) & 0x8d5);
		unsigned imm = 0;
		if (fm->flags & F_IMM)
			imm = (fm->flags & F_SMALLIMM) && g_rand_boolean(r) ? g_rand_int_range(r, 0, 20)
									     : g_rand_int_range(r, 0, 256);
		nat = in;
		int nvec = run_native(fns[imm], &nat);

		struct fpu_state f;
		fpu_reset(&f);
		memcpy(f.xmm[0], in.x0, 16);
		memcpy(f.xmm[1], in.x1, 16);
		f.mxcsr = in.mxcsr;
		uint64_t gpr[16] = { in.rax, in.rcx };
		uint64_t rflags = in.rflags;
		uint8_t mem[16];
		memcpy(mem, in.mem, 16);
		struct simd_insn si = {
			.prefix = fm->prefix, .map = 1, .opcode = fm->opcode, .reg = (modrm >> 3) & 7,
			.rm = modrm & 7, .rm_is_reg = !memform, .rex_w = rexw, .imm8 = (uint8_t)imm,
			.mem = memform ? mem : NULL, .gpr = gpr, .rflags = &rflags,
		};
		int evec = op->exec(&f, &si);

		bool ok = evec == nvec && f.mxcsr == nat.mxcsr;
		if (nvec == 0) {
			ok = ok && !memcmp(f.xmm[0], nat.x0, 16) && !memcmp(f.xmm[1], nat.x1, 16) &&
			     gpr[0] == nat.rax && gpr[1] == nat.rcx && rflags == nat.rflags;
			if (memform && (op->flags & SIMD_WRITE))
				ok = ok && !memcmp(mem, nat.mem, 16);
		} else {
			ok = ok && !memcmp(f.xmm[0], in.x0, 16) && !memcmp(f.xmm[1], in.x1, 16) &&
			     gpr[0] == in.rax && rflags == in.rflags;
		}
		if (!ok) {
			uint64_t a[2], b[2], x[2], y[2], mm[2];
			memcpy(a, in.x0, 16); memcpy(b, in.x1, 16); memcpy(mm, in.mem, 16);
			memcpy(x, nat.x0, 16); memcpy(y, f.xmm[0], 16);
			g_test_message("%s %s%s imm=%u: mxcsr in %08x native %08x emu %08x, vec native %d emu %d",
				       fm->name, memform ? "mem" : "reg", rexw ? " rex.w" : "", imm, in.mxcsr,
				       nat.mxcsr, f.mxcsr, nvec, evec);
			g_test_message("  in x0 %016lx:%016lx x1 %016lx:%016lx mem %016lx:%016lx rax %016lx",
				       a[1], a[0], b[1], b[0], mm[1], mm[0], in.rax);
			g_test_message("  x0 native %016lx:%016lx emu %016lx:%016lx", x[1], x[0], y[1], y[0]);
			memcpy(x, nat.x1, 16); memcpy(y, f.xmm[1], 16);
			g_test_message("  x1 native %016lx:%016lx emu %016lx:%016lx", x[1], x[0], y[1], y[0]);
			g_test_message("  rax native %016lx emu %016lx; rflags native %lx emu %lx",
				       nat.rax, gpr[0], nat.rflags, rflags);
			memcpy(x, nat.mem, 16); memcpy(y, mem, 16);
			g_test_message("  mem native %016lx:%016lx emu %016lx:%016lx", x[1], x[0], y[1], y[0]);
			g_test_fail();
			return;
		}
		total_cases++;
		total_xm += nvec == 19;
	}
}

static void test_forms(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(test_seed(0x55e2));
	struct sigaction sa = { .sa_sigaction = on_sigfpe, .sa_flags = SA_SIGINFO | SA_NODEFER };
	sigaction(SIGFPE, &sa, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
		const struct form *fm = &forms[i];
		for (int w = 0; w <= !!(fm->flags & F_W); w++) {
			if (!(fm->flags & F_MEMONLY))
				run_form(fm, false, w, false, r, 1500);
			if (!(fm->flags & F_MEMONLY) && (fm->modrm & 7))
				run_form(fm, false, w, true, r, 200);
			if (fm->mem)
				run_form(fm, true, w, false, r, 500);
		}
	}
	signal(SIGFPE, SIG_DFL);
	g_assert_cmpuint(total_xm, >, 1000);  /* the #XM path was exercised */
}

/* What must stay #UD: MMX register forms, SSE3+, other maps, wrong ModRM forms. */
static void test_ud(void)
{
	static const uint8_t ud[][4] = {
		/* prefix, map, opcode, modrm */
		{ 0, 1, 0xfe, 0xc1 }, { 0, 1, 0x6f, 0xc1 }, { 0, 1, 0x6e, 0xc0 }, { 0, 1, 0x7e, 0xc0 },
		{ 0, 1, 0x71, 0xd1 }, { 0x66, 1, 0x71, 0x11 }, { 0x66, 1, 0x73, 0xe1 }, { 0x66, 1, 0xf7, 0xc1 },
		{ 0xf2, 1, 0xf0, 0x06 }, { 0xf2, 1, 0x12, 0xc1 }, { 0xf3, 1, 0x16, 0xc1 }, { 0x66, 1, 0x7c, 0xc1 },
		{ 0x66, 2, 0x00, 0xc1 }, { 0x66, 3, 0x0f, 0xc1 }, { 0, 1, 0x2a, 0xc1 }, { 0, 1, 0x2d, 0xc1 },
		{ 0x66, 1, 0x2c, 0xc1 }, { 0xf3, 1, 0xd6, 0xc1 }, { 0xf2, 1, 0xd6, 0xc1 }, { 0x66, 1, 0xd7, 0x06 },
		{ 0, 1, 0x2b, 0xc1 }, { 0x66, 1, 0xe7, 0xc1 }, { 0, 1, 0x13, 0xc1 }, { 0x66, 1, 0x16, 0xc1 },
		{ 0, 1, 0x50, 0x06 }, { 0x66, 1, 0xc5, 0x06 }, { 0xf3, 1, 0x58 + 0x20, 0xc1 }, { 0, 1, 0xc3, 0x06 },
		{ 0, 1, 0xae, 0xe8 }, { 0, 1, 0xae, 0x38 }, { 0x66, 1, 0x77, 0xc0 }, { 0, 1, 0x77, 0xc0 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(ud); i++) {
		if (simd_lookup(ud[i][0], ud[i][1], ud[i][2], ud[i][3]))
			g_error("%02x map%u %02x modrm %02x should be #UD", ud[i][0], ud[i][1], ud[i][2], ud[i][3]);
		total_cases++;
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/simd/forms-vs-host", test_forms);
	g_test_add_func("/simd/ud", test_ud);
	int rc = g_test_run();
	printf("# test-simd: %u forms (register/memory/REX.W variants counted separately), %u cases (%u raising #XM)\n",
	       total_forms, total_cases, total_xm);
	return rc;
}
