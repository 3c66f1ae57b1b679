/* Differential tests of the integer instructions against the host CPU.
 * Every form (instruction x operand size x operand kind) is executed with
 * random registers, flags and memory natively (in an mmap'd executable page
 * wrapped by a register load/store harness) and in the emulator (flat
 * 64-bit guest), then registers, the defined flags and memory compare. */
#include "emu_harness.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define GCODE 0x100000ULL
#define GBUF 0x200000ULL
#define BUFSZ 4096
#define CASES 150

enum { FCF = 1, FPF = 4, FAF = 0x10, FZF = 0x40, FSF = 0x80, FDF = 0x400, FOF = 0x800 };
#define FALL (FCF | FPF | FAF | FZF | FSF | FOF)

struct regs {
	uint64_t r[16];
	uint64_t flags;
};

enum kind {
	K_PLAIN,    /* mask fixed */
	K_SHIFT,    /* count from CL or imm: flags depend on it */
	K_ROT,
	K_SHXD,
	K_DIV,      /* operands constrained so no #DE */
	K_IDIV,
	K_STRING,   /* RSI/RDI/RCX set up for string ops, DF random */
	K_BSX,      /* source nonzero */
	K_BTMEM,    /* bit offset register bounded */
	K_XLAT,     /* RBX is a table address */
	K_STRING_OVL, /* REP MOVS with overlapping source and destination */
	K_FLAGREG,  /* RCX holds pushed flags: compare its status bits only */
};

struct form {
	char name[48];
	uint8_t code[24];
	unsigned len;
	unsigned fmask;     /* defined flags to compare */
	enum kind kind;
	unsigned sz;        /* operand size (shifts/div) */
	int count_imm;      /* shifts: -1 CL, else imm (re-randomised) */
	unsigned imm_off, imm_len;  /* random immediate inside code, 0 = none */
};

static struct form forms[2000];
static unsigned nforms;
static uint64_t ncases;

static struct form *add(const char *name, unsigned fmask, enum kind k)
{
	g_assert_cmpuint(nforms, <, G_N_ELEMENTS(forms));
	struct form *f = &forms[nforms++];
	memset(f, 0, sizeof(*f));
	g_strlcpy(f->name, name, sizeof(f->name));
	f->fmask = fmask;
	f->kind = k;
	f->count_imm = -1;
	return f;
}

static void b(struct form *f, unsigned v) { f->code[f->len++] = (uint8_t)v; }

/* prefix for the operand size; rex bits added */
static void pfx(struct form *f, unsigned sz, unsigned rex)
{
	if (sz == 2)
		b(f, 0x66);
	if (sz == 8)
		rex |= 8;
	if (rex)
		b(f, 0x40 | rex);
}

static void imm(struct form *f, unsigned n)
{
	f->imm_off = f->len;
	f->imm_len = n;
	for (unsigned k = 0; k < n; k++)
		b(f, 0);
}

static const unsigned sizes[4] = {1, 2, 4, 8};
static const char *szname[9] = {[1] = "b", [2] = "w", [4] = "d", [8] = "q"};

static void build_forms(void)
{
	static const char *alu[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
	char n[48];
	for (unsigned op = 0; op < 8; op++) {
		unsigned m = (op == 1 || op == 4 || op == 6) ? FALL & ~FAF : FALL;
		for (unsigned s = 0; s < 4; s++) {
			unsigned sz = sizes[s], v = sz == 1 ? 0 : 1;
			struct form *f;
			snprintf(n, sizeof(n), "%s%s r,r", alu[op], szname[sz]);
			f = add(n, m, K_PLAIN); pfx(f, sz, 0); b(f, op * 8 + v); b(f, 0xd8);
			if (sz == 1) {
				snprintf(n, sizeof(n), "%sb ah,bh", alu[op]);
				f = add(n, m, K_PLAIN); b(f, op * 8); b(f, 0xfc);
				snprintf(n, sizeof(n), "%sb r10b,r9b", alu[op]);
				f = add(n, m, K_PLAIN); b(f, 0x45); b(f, op * 8); b(f, 0xca);
			}
			snprintf(n, sizeof(n), "%s%s r,r (reg form)", alu[op], szname[sz]);
			f = add(n, m, K_PLAIN); pfx(f, sz, 4); b(f, op * 8 + 2 + v); b(f, 0xca);
			snprintf(n, sizeof(n), "%s%s m,r", alu[op], szname[sz]);
			f = add(n, m, K_PLAIN); pfx(f, sz, 0); b(f, op * 8 + v); b(f, 0x1e);
			snprintf(n, sizeof(n), "%s%s r,m", alu[op], szname[sz]);
			f = add(n, m, K_PLAIN); pfx(f, sz, 0); b(f, op * 8 + 2 + v); b(f, 0x5e); b(f, 0x08);
			snprintf(n, sizeof(n), "%s%s acc,imm", alu[op], szname[sz]);
			f = add(n, m, K_PLAIN); pfx(f, sz, 0); b(f, op * 8 + 4 + v); imm(f, sz == 8 ? 4 : sz);
			snprintf(n, sizeof(n), "%s%s r,imm", alu[op], szname[sz]);
			f = add(n, m, K_PLAIN); pfx(f, sz, 0); b(f, sz == 1 ? 0x80 : 0x81); b(f, 0xc3 | op << 3);
			imm(f, sz == 8 ? 4 : sz);
			if (sz > 1) {
				snprintf(n, sizeof(n), "%s%s r,imm8", alu[op], szname[sz]);
				f = add(n, m, K_PLAIN); pfx(f, sz, 0); b(f, 0x83); b(f, 0xc3 | op << 3); imm(f, 1);
				snprintf(n, sizeof(n), "%s%s m,imm8", alu[op], szname[sz]);
				f = add(n, m, K_PLAIN); pfx(f, sz, 0); b(f, 0x83); b(f, 0x46 | op << 3); b(f, 0xf8); imm(f, 1);
			}
		}
	}
	static const char *un[6] = {"inc", "dec", "not", "neg", NULL, NULL};
	for (unsigned s = 0; s < 4; s++) {
		unsigned sz = sizes[s], v = sz == 1 ? 0 : 1;
		for (unsigned u = 0; u < 4; u++) {
			unsigned opc = u < 2 ? 0xfe + v : 0xf6 + v, reg = u < 2 ? u : u;
			unsigned m = u == 2 ? 0 : FALL;
			struct form *f;
			snprintf(n, sizeof(n), "%s%s r", un[u], szname[sz]);
			f = add(n, m, K_PLAIN); pfx(f, sz, 0); b(f, opc); b(f, 0xc1 | reg << 3);
			snprintf(n, sizeof(n), "%s%s m", un[u], szname[sz]);
			f = add(n, m, K_PLAIN); pfx(f, sz, 0); b(f, opc); b(f, 0x06 | reg << 3);
		}
		static const char *md[4] = {"mul", "imul", "div", "idiv"};
		for (unsigned u = 0; u < 4; u++) {
			struct form *f;
			enum kind k = u == 2 ? K_DIV : u == 3 ? K_IDIV : K_PLAIN;
			unsigned m = u < 2 ? FCF | FOF : 0;
			snprintf(n, sizeof(n), "%s%s r", md[u], szname[sz]);
			f = add(n, m, k); pfx(f, sz, 0); b(f, 0xf6 + v); b(f, 0xe3 | (4 + u) << 3); f->sz = sz;
			snprintf(n, sizeof(n), "%s%s m", md[u], szname[sz]);
			f = add(n, m, k); pfx(f, sz, 0); b(f, 0xf6 + v); b(f, 0x26 | (4 + u) << 3); f->sz = sz;
		}
		static const char *sh[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
		for (unsigned u = 0; u < 8; u++) {
			enum kind k = u < 4 ? K_ROT : K_SHIFT;
			struct form *f;
			snprintf(n, sizeof(n), "%s%s r,1", sh[u], szname[sz]);
			f = add(n, 0, k); pfx(f, sz, 0); b(f, 0xd0 + v); b(f, 0xc3 | u << 3); f->sz = sz; f->count_imm = 1;
			snprintf(n, sizeof(n), "%s%s r,cl", sh[u], szname[sz]);
			f = add(n, 0, k); pfx(f, sz, 0); b(f, 0xd2 + v); b(f, 0xc3 | u << 3); f->sz = sz;
			snprintf(n, sizeof(n), "%s%s m,cl", sh[u], szname[sz]);
			f = add(n, 0, k); pfx(f, sz, 0); b(f, 0xd2 + v); b(f, 0x06 | u << 3); f->sz = sz;
			snprintf(n, sizeof(n), "%s%s r,imm", sh[u], szname[sz]);
			f = add(n, 0, k); pfx(f, sz, 0); b(f, 0xc0 + v); b(f, 0xc3 | u << 3); f->sz = sz;
			f->count_imm = 0; imm(f, 1);
		}
		/* cmpxchg, xadd */
		struct form *f;
		snprintf(n, sizeof(n), "cmpxchg%s r,r", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xb0 + v); b(f, 0xd9);
		snprintf(n, sizeof(n), "cmpxchg%s m,r", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0xf0); b(f, 0x0f); b(f, 0xb0 + v); b(f, 0x1e);
		snprintf(n, sizeof(n), "xadd%s r,r", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xc0 + v); b(f, 0xd9);
		snprintf(n, sizeof(n), "xadd%s m,r", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0xf0); b(f, 0x0f); b(f, 0xc0 + v); b(f, 0x1e);
		snprintf(n, sizeof(n), "xchg%s m,r", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x86 + v); b(f, 0x1e);
		snprintf(n, sizeof(n), "test%s r,r", szname[sz]);
		f = add(n, FALL & ~FAF, K_PLAIN); pfx(f, sz, 0); b(f, 0x84 + v); b(f, 0xd8);
		snprintf(n, sizeof(n), "test%s m,imm", szname[sz]);
		f = add(n, FALL & ~FAF, K_PLAIN); pfx(f, sz, 0); b(f, 0xf6 + v); b(f, 0x06); imm(f, sz == 8 ? 4 : sz);
		snprintf(n, sizeof(n), "mov%s r,m", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x8a + v); b(f, 0x5c); b(f, 0x8e); b(f, 0x10);
		snprintf(n, sizeof(n), "mov%s r,r (89)", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x88 + v); b(f, 0xd8);
		snprintf(n, sizeof(n), "mov%s r,r (8b)", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x8a + v); b(f, 0xd8);
		snprintf(n, sizeof(n), "mov%s r9,m", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 4); b(f, 0x8a + v); b(f, 0x4e); b(f, 0x20);
		snprintf(n, sizeof(n), "mov%s m,r10", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 4); b(f, 0x88 + v); b(f, 0x56); b(f, 0xe0);
		snprintf(n, sizeof(n), "mov%s m,imm", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0xc6 + v); b(f, 0x06); imm(f, sz == 8 ? 4 : sz);
		/* string instructions, with and without REP, both directions */
		static const struct { const char *n; unsigned op; unsigned rep; unsigned m; } st[] = {
			{"movs", 0xa4, 0, 0}, {"rep movs", 0xa4, 0xf3, 0}, {"stos", 0xaa, 0, 0}, {"rep stos", 0xaa, 0xf3, 0},
			{"lods", 0xac, 0, 0}, {"cmps", 0xa6, 0, FALL}, {"repe cmps", 0xa6, 0xf3, FALL},
			{"repne cmps", 0xa6, 0xf2, FALL}, {"scas", 0xae, 0, FALL}, {"repe scas", 0xae, 0xf3, FALL},
			{"repne scas", 0xae, 0xf2, FALL},
		};
		for (unsigned k = 0; k < G_N_ELEMENTS(st); k++) {
			snprintf(n, sizeof(n), "%s%s", st[k].n, szname[sz]);
			f = add(n, st[k].m | FDF, K_STRING);
			if (st[k].rep)
				b(f, st[k].rep);
			pfx(f, sz, 0);
			b(f, st[k].op + v);
		}
	}
	for (unsigned s = 0; s < 4; s++) {
		unsigned sz = sizes[s], v = sz == 1 ? 0 : 1;
		struct form *f;
		snprintf(n, sizeof(n), "rep movs%s overlapping", szname[sz]);
		f = add(n, FDF, K_STRING_OVL); b(f, 0xf3); pfx(f, sz, 0); b(f, 0xa4 + v);
		snprintf(n, sizeof(n), "a32 rep stos%s", szname[sz]);
		f = add(n, FDF, K_STRING); b(f, 0x67); b(f, 0xf3); pfx(f, sz, 0); b(f, 0xaa + v);
		snprintf(n, sizeof(n), "a32 repne scas%s", szname[sz]);
		f = add(n, FALL | FDF, K_STRING); b(f, 0x67); b(f, 0xf2); pfx(f, sz, 0); b(f, 0xae + v);
	}
	for (unsigned s = 1; s < 4; s++) {
		unsigned sz = sizes[s];
		struct form *f;
		for (unsigned d = 0; d < 2; d++) {
			snprintf(n, sizeof(n), "sh%sd%s r,r,imm", d ? "r" : "l", szname[sz]);
			f = add(n, 0, K_SHXD); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xa4 + d * 8); b(f, 0xd8); f->sz = sz;
			f->count_imm = 0; imm(f, 1);
			snprintf(n, sizeof(n), "sh%sd%s r,r,cl", d ? "r" : "l", szname[sz]);
			f = add(n, 0, K_SHXD); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xa5 + d * 8); b(f, 0xd8); f->sz = sz;
			snprintf(n, sizeof(n), "sh%sd%s m,r,cl", d ? "r" : "l", szname[sz]);
			f = add(n, 0, K_SHXD); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xa5 + d * 8); b(f, 0x1e); f->sz = sz;
		}
		snprintf(n, sizeof(n), "imul%s r,r", szname[sz]);
		f = add(n, FCF | FOF, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xaf); b(f, 0xc3);
		snprintf(n, sizeof(n), "imul%s r,m", szname[sz]);
		f = add(n, FCF | FOF, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xaf); b(f, 0x06);
		snprintf(n, sizeof(n), "imul%s r,r,imm8", szname[sz]);
		f = add(n, FCF | FOF, K_PLAIN); pfx(f, sz, 0); b(f, 0x6b); b(f, 0xc3); imm(f, 1);
		snprintf(n, sizeof(n), "imul%s r,r,imm", szname[sz]);
		f = add(n, FCF | FOF, K_PLAIN); pfx(f, sz, 0); b(f, 0x69); b(f, 0xc3); imm(f, sz == 8 ? 4 : sz);
		static const char *bt[4] = {"bt", "bts", "btr", "btc"};
		for (unsigned u = 0; u < 4; u++) {
			snprintf(n, sizeof(n), "%s%s r,r", bt[u], szname[sz]);
			f = add(n, FCF, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xa3 + u * 8); b(f, 0xd8);
			snprintf(n, sizeof(n), "%s%s r,imm", bt[u], szname[sz]);
			f = add(n, FCF, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xba); b(f, 0xe0 | (4 + u) << 3); imm(f, 1);
			snprintf(n, sizeof(n), "%s%s m,r", bt[u], szname[sz]);
			f = add(n, FCF, K_BTMEM); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xa3 + u * 8); b(f, 0x1e);
			snprintf(n, sizeof(n), "%s%s m,imm", bt[u], szname[sz]);
			f = add(n, FCF, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xba); b(f, 0x26 | (4 + u) << 3); imm(f, 1);
		}
		snprintf(n, sizeof(n), "bsf%s r,r", szname[sz]);
		f = add(n, FZF, K_BSX); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xbc); b(f, 0xc3);
		snprintf(n, sizeof(n), "bsr%s r,r", szname[sz]);
		f = add(n, FZF, K_BSX); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xbd); b(f, 0xc3);
		for (unsigned cc = 0; cc < 16; cc++) {
			snprintf(n, sizeof(n), "cmov%u%s r,r", cc, szname[sz]);
			f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0x40 + cc); b(f, 0xc3);
		}
		snprintf(n, sizeof(n), "cmovz%s r,m", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0x44); b(f, 0x06);
		snprintf(n, sizeof(n), "movzxb%s", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xb6); b(f, sz == 8 ? 0xc3 : 0xc7);
		snprintf(n, sizeof(n), "movsxb%s", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xbe); b(f, sz == 8 ? 0xc3 : 0xc7);
		snprintf(n, sizeof(n), "movzxw%s m", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xb7); b(f, 0x06);
		snprintf(n, sizeof(n), "movzxb%s m", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xb6); b(f, 0x06);
		snprintf(n, sizeof(n), "movzxw%s r", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xb7); b(f, 0xc3);
		snprintf(n, sizeof(n), "movzxb%s r,ch/bpl", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xb6); b(f, 0xc5);
		snprintf(n, sizeof(n), "movsxw%s m", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x0f); b(f, 0xbf); b(f, 0x06);
		snprintf(n, sizeof(n), "cbw/cwde/cdqe %s", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x98);
		snprintf(n, sizeof(n), "cwd/cdq/cqo %s", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x99);
		snprintf(n, sizeof(n), "lea%s sib", szname[sz]);
		f = add(n, FALL, K_PLAIN); pfx(f, sz, 0); b(f, 0x8d); b(f, 0x84); b(f, 0x8b); imm(f, 4);
	}
	struct form *f;
	/* lazily computed flags made visible through PUSHF; POPF; stack pairs */
	for (unsigned op = 0; op < 8; op++) {
		static const char *alu2[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
		for (unsigned s2 = 0; s2 < 4; s2++) {
			unsigned sz = sizes[s2];
			snprintf(n, sizeof(n), "%s%s; pushfq; pop rcx", alu2[op], szname[sz]);
			f = add(n, (op == 1 || op == 4 || op == 6) ? FALL & ~FAF : FALL, K_FLAGREG);
			pfx(f, sz, 0); b(f, op * 8 + (sz == 1 ? 0 : 1)); b(f, 0xd8); b(f, 0x9c); b(f, 0x59);
		}
	}
	/* conditions evaluated straight from the lazy record: op; setcc cl */
	static const struct { const char *n; uint8_t op; } lazy_ops[] = {
		{"cmp", 0x39}, {"sub", 0x29}, {"test", 0x85}, {"and", 0x21}, {"add", 0x01}, {"xor", 0x31},
	};
	for (unsigned k = 0; k < G_N_ELEMENTS(lazy_ops); k++)
		for (unsigned s2 = 0; s2 < 4; s2++) {
			unsigned sz = sizes[s2];
			for (unsigned cc = 0; cc < 16; cc++) {
				snprintf(n, sizeof(n), "%s%s; set%u cl", lazy_ops[k].n, szname[sz], cc);
				f = add(n, FALL, K_PLAIN);
				pfx(f, sz, 0); b(f, lazy_ops[k].op - (sz == 1 ? 1 : 0)); b(f, 0xd8);
				b(f, 0x0f); b(f, 0x90 + cc); b(f, 0xc1);
			}
		}
	/* the same followed by a Jcc over "inc rcx" (a fused record in the emulator) */
	for (unsigned k = 0; k < G_N_ELEMENTS(lazy_ops); k++)
		for (unsigned s2 = 0; s2 < 4; s2++) {
			unsigned sz = sizes[s2];
			for (unsigned cc = 0; cc < 16; cc++) {
				snprintf(n, sizeof(n), "%s%s; j%u", lazy_ops[k].n, szname[sz], cc);
				f = add(n, FALL, K_PLAIN);
				pfx(f, sz, 0); b(f, lazy_ops[k].op - (sz == 1 ? 1 : 0)); b(f, 0xd8);
				b(f, 0x70 + cc); b(f, 3); b(f, 0x48); b(f, 0xff); b(f, 0xc1);
			}
		}
	for (unsigned cc = 0; cc < 16; cc++) {
		snprintf(n, sizeof(n), "cmp r,imm8; j%u near", cc);
		f = add(n, FALL, K_PLAIN); b(f, 0x48); b(f, 0x83); b(f, 0xfb); imm(f, 1);
		b(f, 0x0f); b(f, 0x80 + cc); b(f, 3); b(f, 0); b(f, 0); b(f, 0); b(f, 0x48); b(f, 0xff); b(f, 0xc1);
		snprintf(n, sizeof(n), "cmpd m,imm8; j%u", cc);
		f = add(n, FALL, K_PLAIN); b(f, 0x83); b(f, 0x7e); b(f, 0xf8); imm(f, 1);
		b(f, 0x70 + cc); b(f, 3); b(f, 0x48); b(f, 0xff); b(f, 0xc1);
		snprintf(n, sizeof(n), "testq m,r; j%u", cc);
		f = add(n, FALL, K_PLAIN); b(f, 0x48); b(f, 0x85); b(f, 0x1e);
		b(f, 0x70 + cc); b(f, 3); b(f, 0x48); b(f, 0xff); b(f, 0xc1);
		snprintf(n, sizeof(n), "dec; j%u", cc);
		f = add(n, FALL, K_PLAIN); b(f, 0xff); b(f, 0xc8); b(f, 0x70 + cc); b(f, 3); b(f, 0x48); b(f, 0xff); b(f, 0xc1);
	}
	for (unsigned cc = 0; cc < 16; cc++) {
		snprintf(n, sizeof(n), "inc; set%u cl", cc);
		f = add(n, FALL, K_PLAIN); b(f, 0x48); b(f, 0xff); b(f, 0xc0); b(f, 0x0f); b(f, 0x90 + cc); b(f, 0xc1);
		snprintf(n, sizeof(n), "dec; set%u cl", cc);
		f = add(n, FALL, K_PLAIN); b(f, 0xff); b(f, 0xc8); b(f, 0x0f); b(f, 0x90 + cc); b(f, 0xc1);
	}
	f = add("inc; pushfq; pop rcx", FALL, K_FLAGREG); b(f, 0x48); b(f, 0xff); b(f, 0xc0); b(f, 0x9c); b(f, 0x59);
	f = add("dec; pushfq; pop rcx", FALL, K_FLAGREG); b(f, 0xff); b(f, 0xc8); b(f, 0x9c); b(f, 0x59);
	f = add("neg; pushfq; pop rcx", FALL, K_FLAGREG); b(f, 0x66); b(f, 0xf7); b(f, 0xd8); b(f, 0x9c); b(f, 0x59);
	f = add("popfq; pushfq; pop rcx", FALL, K_FLAGREG);
	b(f, 0x48); b(f, 0x81); b(f, 0xe3); b(f, 0xd5); b(f, 0x0c); b(f, 0); b(f, 0);  /* and rbx, 0xcd5 */
	b(f, 0x53); b(f, 0x9d); b(f, 0x9c); b(f, 0x59);
	f = add("push rbx; pop rcx", FALL, K_PLAIN); b(f, 0x53); b(f, 0x59);
	f = add("push imm32; pop r9", FALL, K_PLAIN); b(f, 0x68); imm(f, 4); b(f, 0x41); b(f, 0x59);
	f = add("push word imm8; pop r9w", FALL, K_PLAIN); b(f, 0x66); b(f, 0x6a); imm(f, 1); b(f, 0x66); b(f, 0x41); b(f, 0x59);
	f = add("push [rsi]; pop [rsi+8]", FALL, K_PLAIN); b(f, 0xff); b(f, 0x36); b(f, 0x8f); b(f, 0x46); b(f, 0x08);
	f = add("enter 0x20,0; leave", FALL, K_PLAIN); b(f, 0xc8); b(f, 0x20); b(f, 0); b(f, 0); b(f, 0xc9);
	f = add("bswapd", FALL, K_PLAIN); b(f, 0x0f); b(f, 0xc8);
	f = add("bswapq", FALL, K_PLAIN); b(f, 0x48); b(f, 0x0f); b(f, 0xc9);
	f = add("movsxd", FALL, K_PLAIN); b(f, 0x48); b(f, 0x63); b(f, 0xc3);
	f = add("lahf", FALL, K_PLAIN); b(f, 0x9f);
	f = add("sahf", FALL, K_PLAIN); b(f, 0x9e);
	f = add("clc", FALL, K_PLAIN); b(f, 0xf8);
	f = add("stc", FALL, K_PLAIN); b(f, 0xf9);
	f = add("cmc", FALL, K_PLAIN); b(f, 0xf5);
	f = add("cmpxchg8b", FALL, K_PLAIN); b(f, 0xf0); b(f, 0x0f); b(f, 0xc7); b(f, 0x4e); b(f, 0x08);
	f = add("cmpxchg16b", FALL, K_PLAIN); b(f, 0xf0); b(f, 0x48); b(f, 0x0f); b(f, 0xc7); b(f, 0x4e); b(f, 0x10);
	f = add("xlat", FALL, K_XLAT); b(f, 0xd7);
	f = add("xchg r,r", FALL, K_PLAIN); b(f, 0x48); b(f, 0x87); b(f, 0xd9);
	f = add("xchg eax,r", FALL, K_PLAIN); b(f, 0x93);
	for (unsigned cc = 0; cc < 16; cc++) {
		snprintf(n, sizeof(n), "set%u", cc);
		f = add(n, FALL, K_PLAIN); b(f, 0x0f); b(f, 0x90 + cc); b(f, 0xc3);
		snprintf(n, sizeof(n), "set%u m", cc);
		f = add(n, FALL, K_PLAIN); b(f, 0x0f); b(f, 0x90 + cc); b(f, 0x06);
		/* jcc over "inc rcx" */
		snprintf(n, sizeof(n), "j%u short", cc);
		f = add(n, FALL, K_PLAIN); b(f, 0x70 + cc); b(f, 3); b(f, 0x48); b(f, 0xff); b(f, 0xc1);
		snprintf(n, sizeof(n), "j%u near", cc);
		f = add(n, FALL, K_PLAIN); b(f, 0x0f); b(f, 0x80 + cc); b(f, 3); b(f, 0); b(f, 0); b(f, 0);
		b(f, 0x48); b(f, 0xff); b(f, 0xc1);
	}
	static const char *lp[4] = {"loopne", "loope", "loop", "jrcxz"};
	for (unsigned k = 0; k < 4; k++) {
		f = add(lp[k], FALL, K_PLAIN); b(f, 0xe0 + k); b(f, 3); b(f, 0x48); b(f, 0xff); b(f, 0xc3);
	}
}

/* --- native execution ---------------------------------------------------------- */
static uint8_t *native_page;
static uint8_t *native_buf;

static void emit_harness(uint8_t *p, const struct form *f, const uint8_t *code)
{
	unsigned n = 0;
#define E(...) do { const uint8_t x_[] = {__VA_ARGS__}; memcpy(p + n, x_, sizeof(x_)); n += sizeof(x_); } while (0)
	E(0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, 0x57);  /* push rbx rbp r12-r15 rdi */
	E(0x49, 0x89, 0xff);                                                    /* mov r15, rdi */
	E(0x41, 0xff, 0xb7, 0x80, 0, 0, 0, 0x9d);                               /* push [r15+128]; popfq */
	for (unsigned r = 0; r < 15; r++) {
		if (r == 4)
			continue;
		E((uint8_t)(r < 8 ? 0x49 : 0x4d), 0x8b, (uint8_t)(0x87 | (r & 7) << 3), (uint8_t)(r * 8), 0, 0, 0);
	}
	E(0x4d, 0x8b, 0xbf, 0x78, 0, 0, 0);                                     /* mov r15, [r15+120] */
	memcpy(p + n, code, f->len);
	n += f->len;
	E(0x41, 0x57, 0x4c, 0x8b, 0x7c, 0x24, 0x08);                            /* push r15; mov r15,[rsp+8] */
	for (unsigned r = 0; r < 15; r++) {
		if (r == 4)
			continue;
		E((uint8_t)(r < 8 ? 0x49 : 0x4d), 0x89, (uint8_t)(0x87 | (r & 7) << 3), (uint8_t)(r * 8), 0, 0, 0);
	}
	E(0x41, 0x8f, 0x87, 0x78, 0, 0, 0);                                     /* pop [r15+120] */
	E(0x9c, 0x41, 0x8f, 0x87, 0x80, 0, 0, 0);                               /* pushfq; pop [r15+128] */
	E(0xfc, 0x5f, 0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, 0xc3);
#undef E
}

static void run_native(const struct form *f, const uint8_t *code, struct regs *r)
{
	emit_harness(native_page, f, code);
	__builtin___clear_cache((char *)native_page, (char *)native_page + 1024);
	((void (*)(struct regs *))(void *)native_page)(r);
}

/* --- random inputs ---------------------------------------------------------------------- */
static uint64_t rnd_val(GRand *g)
{
	static const uint64_t special[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
					   0x80000000, 0xffffffff, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
					   ~0ULL, 0x100, 0x10000, 0x100000000ULL};
	switch (g_rand_int_range(g, 0, 5)) {
	case 0: return special[g_rand_int_range(g, 0, G_N_ELEMENTS(special))];
	case 1: return (uint64_t)g_rand_int_range(g, -40, 40);
	default: return ((uint64_t)g_rand_int(g) << 32) | g_rand_int(g);
	}
}

static unsigned defined_flags(const struct form *f, const struct regs *in, const uint8_t *code)
{
	unsigned sz = f->sz, bits = sz * 8;
	unsigned cnt;
	switch (f->kind) {
	case K_SHIFT: case K_ROT: case K_SHXD:
		if (f->count_imm == 1 && f->imm_len == 0)
			cnt = 1;
		else if (f->imm_len)
			cnt = code[f->imm_off];
		else
			cnt = in->r[1] & 0xff;
		cnt &= sz == 8 ? 63 : 31;
		if (cnt == 0)
			return FALL;
		if (f->kind == K_ROT) {
			unsigned m = FCF;
			if (cnt == 1)
				m |= FOF;
			return m;
		}
		if (f->kind == K_SHXD && cnt > bits)
			return 0;
		{
			unsigned m = FCF | FZF | FSF | FPF;
			if (cnt == 1)
				m |= FOF;
			if (f->kind == K_SHIFT && cnt > bits)
				m &= ~(unsigned)FCF;
			return m;
		}
	default:
		return f->fmask;
	}
}

static void setup_inputs(GRand *g, const struct form *f, struct regs *r, uint8_t *code, uint8_t *mem)
{
	for (unsigned k = 0; k < 16; k++)
		r->r[k] = rnd_val(g);
	r->flags = 2 | (g_rand_int(g) & FALL);
	for (unsigned k = 0; k < BUFSZ; k++)
		mem[k] = (uint8_t)g_rand_int(g);
	memcpy(code, f->code, f->len);
	for (unsigned k = 0; k < f->imm_len; k++)
		code[f->imm_off + k] = (uint8_t)g_rand_int(g);
	if (f->imm_len == 1 && (f->kind == K_SHIFT || f->kind == K_ROT || f->kind == K_SHXD) && g_rand_boolean(g))
		code[f->imm_off] &= 0x3f;
	if (f->kind == K_SHIFT || f->kind == K_ROT || f->kind == K_SHXD) {
		if (g_rand_boolean(g))
			r->r[1] = (r->r[1] & ~0xffULL) | (unsigned)g_rand_int_range(g, 0, 70);
	}
	/* memory operands: [rsi] (+disp), [rsi+rcx*4+0x10]; xlat uses rbx */
	r->r[6] = 2048;  /* offset into the buffer; the base is added per engine */
	if (f->kind == K_BTMEM)
		r->r[3] = (uint64_t)g_rand_int_range(g, -8000, 8000);
	if (f->kind == K_XLAT)
		r->r[3] = (uint64_t)g_rand_int_range(g, 0, 1024);
	if (strstr(f->name, "mov") && f->code[f->len - 1] == 0x10)
		r->r[1] = (uint64_t)g_rand_int_range(g, -100, 100);
	if (strncmp(f->name, "lea", 3) == 0)
		r->r[1] = rnd_val(g);
	if (f->kind == K_STRING) {
		r->r[6] = 1024;
		r->r[7] = 3072;
		r->r[1] = (uint64_t)g_rand_int_range(g, 0, 40);
		if (g_rand_boolean(g))
			r->flags |= FDF;
		if (g_rand_int_range(g, 0, 3) == 0)  /* make compares find equal runs */
			memcpy(mem + 3072 - 512, mem + 1024 - 512, 1024);
	}
	if (f->kind == K_STRING_OVL) {
		r->r[6] = 1024;
		r->r[7] = 1024 + (uint64_t)g_rand_int_range(g, 1, 24);  /* destination inside the source run */
		r->r[1] = (uint64_t)g_rand_int_range(g, 0, 300);
		r->flags &= ~(uint64_t)FDF;
	}
	if (f->kind == K_BSX && (r->r[3] & 0xffffffff) == 0)
		r->r[3] |= 0x1000;
	if (f->kind == K_BSX && (r->r[3] & 0xffff) == 0 && f->code[0] == 0x66)
		r->r[3] |= 0x10;
	if (f->kind == K_DIV || f->kind == K_IDIV) {
		unsigned sz = f->sz;
		uint64_t m = sz == 8 ? ~0ULL : (1ULL << (sz * 8)) - 1;
		for (;;) {
			uint64_t d = rnd_val(g) & m;
			bool mem_form = (f->code[f->len - 1] & 0xc0) == 0;
			if (mem_form)
				memcpy(mem + 2048, &d, sz);
			else
				r->r[3] = (r->r[3] & ~m) | d;
			if (sz == 1 && !mem_form)
				r->r[3] = (r->r[3] & ~0xffULL) | d;
			if (d == 0)
				continue;
			if (f->kind == K_DIV) {
				unsigned __int128 hi = sz == 1 ? (r->r[0] >> 8) & 0xff : r->r[2] & m;
				if (hi >= d)
					r->r[sz == 1 ? 0 : 2] &= sz == 1 ? ~0xff00ULL : ~m;
				break;
			}
			/* IDIV: dividend = sign extension of the low half, so the quotient fits unless -MIN/-1 */
			int64_t lo;
			if (sz == 1) {
				lo = (int8_t)r->r[0];
				r->r[0] = (r->r[0] & ~0xffffULL) | ((uint64_t)(int64_t)lo & 0xffff);
			} else {
				uint64_t a = r->r[0] & m;
				lo = sz == 2 ? (int16_t)a : sz == 4 ? (int32_t)a : (int64_t)a;
				r->r[2] = (r->r[2] & ~m) | (lo < 0 ? m : 0);
			}
			int64_t ds = sz == 1 ? (int8_t)d : sz == 2 ? (int16_t)d : sz == 4 ? (int32_t)d : (int64_t)d;
			uint64_t minv = 1ULL << (sz * 8 - 1);
			if (ds == -1 && ((uint64_t)lo & m) == minv)
				continue;
			break;
		}
	}
}

/* --- the test ------------------------------------------------------------------------------ */
static struct th T;

static void run_emu(const uint8_t *code, unsigned len, struct regs *r)
{
	th_load(&T, GCODE, code, len);
	static const uint8_t hlt = 0xf4;
	th_load(&T, GCODE + len, &hlt, 1);
	struct kvm_regs *k = &T.st.regs;
	__u64 *dst[16] = {&k->rax, &k->rcx, &k->rdx, &k->rbx, &k->rsp, &k->rbp, &k->rsi, &k->rdi,
			     &k->r8, &k->r9, &k->r10, &k->r11, &k->r12, &k->r13, &k->r14, &k->r15};
	for (unsigned i = 0; i < 16; i++)
		*dst[i] = r->r[i];
	k->rsp = 0x7000;
	k->rip = GCODE;
	k->rflags = r->flags;
	enum vcpu_exit_reason why = th_run(&T, 100000);
	if (why != VCPU_EXIT_HLT)
		g_test_message("emu stopped with %d at rip %#llx", why, (unsigned long long)k->rip);
	g_assert_cmpint(why, ==, VCPU_EXIT_HLT);
	for (unsigned i = 0; i < 16; i++)
		if (i != 4)
			r->r[i] = *dst[i];
	r->flags = k->rflags;
}

static bool compare(const struct form *f, const struct regs *in, const struct regs *a, const struct regs *e,
		    unsigned fm, const uint8_t *ma, const uint8_t *me, uint64_t abase, uint64_t ebase,
		    const uint8_t *code)
{
	bool ok = true;
	char hex[64] = "";
	for (unsigned k = 0; k < f->len && k < 16; k++)
		snprintf(hex + 3 * k, 4, "%02x ", code[k]);

	for (unsigned i = 0; i < 16; i++) {
		if (i == 4)
			continue;
		uint64_t x = a->r[i], y = e->r[i];
		/* registers that held buffer addresses compare as offsets */
		if (i == 6 || i == 7 || (i == 3 && f->kind == K_XLAT)) {
			x -= abase;
			y -= ebase;
		}
		if (i == 1 && f->kind == K_FLAGREG) {
			x &= fm;
			y &= fm;
		}
		if (x != y) {
			g_test_message("%s: r%u emu %#llx host %#llx (in %#llx)", f->name, i, (unsigned long long)y,
				       (unsigned long long)x, (unsigned long long)in->r[i]);
			ok = false;
		}
	}
	if ((a->flags & fm) != (e->flags & fm)) {
		g_test_message("%s: flags emu %#llx host %#llx (mask %#x, in %#llx, rax %#llx rbx %#llx rcx %#llx)", f->name,
			       (unsigned long long)e->flags, (unsigned long long)a->flags, fm,
			       (unsigned long long)in->flags, (unsigned long long)in->r[0], (unsigned long long)in->r[3],
			       (unsigned long long)in->r[1]);
		ok = false;
	}
	if (memcmp(ma, me, BUFSZ) != 0) {
		for (unsigned k = 0; k < BUFSZ; k++)
			if (ma[k] != me[k]) {
				g_test_message("%s: memory differs at +%u: emu %#x host %#x", f->name, k, me[k], ma[k]);
				break;
			}
		ok = false;
	}
	if (!ok)
		g_test_message("%s: code %s", f->name, hex);
	return ok;
}

static void test_forms(void)
{
	GRand *g = g_rand_new_with_seed(12345);
	unsigned failed_forms = 0;
	uint8_t *gmem = th_ptr(&T, GBUF);
	for (unsigned fi = 0; fi < nforms; fi++) {
		const struct form *f = &forms[fi];
		unsigned fails = 0;
		for (unsigned c = 0; c < CASES; c++) {
			struct regs in, a, e;
			uint8_t code[32];
			setup_inputs(g, f, &in, code, native_buf);
			memcpy(gmem, native_buf, BUFSZ);
			unsigned fm = defined_flags(f, &in, code);
			a = in;
			e = in;
			uint64_t abase = (uint64_t)(uintptr_t)native_buf, ebase = GBUF;
			a.r[6] += abase;
			a.r[7] += abase;
			e.r[6] += ebase;
			e.r[7] += ebase;
			if (f->kind == K_XLAT) {
				a.r[3] += abase + 2048;
				e.r[3] += ebase + 2048;
			}
			struct regs in2 = a;
			if (g_test_verbose())
				g_test_message("%s", f->name);
			run_native(f, code, &a);
			run_emu(code, f->len, &e);
			ncases++;
			if (!compare(f, &in2, &a, &e, fm | FDF, native_buf, gmem, abase, ebase, code)) {
				if (++fails >= 3)
					break;
			}
		}
		if (fails)
			failed_forms++;
	}
	g_rand_free(g);
	printf("# %u forms, %llu cases, %u forms failed\n", nforms, (unsigned long long)ncases, failed_forms);
	g_assert_cmpuint(failed_forms, ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	native_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	g_assert_true(native_page != MAP_FAILED);
	/* below 4 GiB, so 32-bit address-size forms (67h) can reach it natively */
	native_buf = mmap(NULL, BUFSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	g_assert_true(native_buf != MAP_FAILED);
	build_forms();
	th_init(&T, 64 << 20);
	th_long_mode(&T, GCODE, 0x7000);
	g_test_add_func("/emu/alu/differential", test_forms);
	int rc = g_test_run();
	th_fini(&T);
	return rc;
}
