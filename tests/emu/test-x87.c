/* x87 semantics, differential against the host CPU: every valid D8-DF
 * encoding (all register forms, all memory forms, 16/32-bit environment
 * formats) runs natively after FRSTOR of a random state and through
 * x87_lookup()/exec after the same FRSTOR; the FSAVE images (control, status
 * incl. condition codes and TOP, tag word, registers), the memory operand,
 * AX (FNSTSW AX), EFLAGS (FCOMI, FCMOVcc) and the #MF decision are compared.
 * FIP/FDP/FOP are not compared: the host records its own addresses. */
#include <glib.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vmm/emu/fpu.h"
#include "tests/emu/native_stub.h"

struct nctx {
	uint8_t img[112];    /* 0x00: FSAVE image */
	uint64_t rax;        /* 0x70 */
	uint64_t rflags;     /* 0x78 */
	uint8_t mem[128];    /* 0x80: memory operand, [rsi] */
} __attribute__((aligned(16)));

static const uint8_t stub_pre[] = {
	0xdd, 0x27,                               /* frstor [rdi] */
	0x48, 0x8b, 0x47, 0x70,                   /* mov rax, [rdi+0x70] */
	0x48, 0x8d, 0xb7, 0x80, 0x00, 0x00, 0x00, /* lea rsi, [rdi+0x80] */
	0xff, 0x77, 0x78, 0x9d,                   /* push [rdi+0x78]; popfq */
};
static const uint8_t stub_post[] = {
	0x9c, 0x8f, 0x47, 0x78,                   /* pushfq; pop [rdi+0x78] */
	0x48, 0x89, 0x47, 0x70,                   /* mov [rdi+0x70], rax */
	0xdd, 0x37,                               /* fnsave [rdi] */
	0xc3,
};

static struct native_page page;
static sigjmp_buf fpe_jmp;

static void on_sigfpe(int sig)
{
	siglongjmp(fpe_jmp, 1);
}

static int run_native(native_fn fn, struct nctx *c)
{
	uint16_t cw;
	asm volatile("fnstcw %0" : "=m"(cw));
	if (sigsetjmp(fpe_jmp, 1)) {
		asm volatile("fninit\n\tfldcw %0" : : "m"(cw));
		return 16;
	}
	fn(c);
	asm volatile("fldcw %0" : : "m"(cw));
	return 0;
}

/* ---- random operands ---- */
static uint64_t r64(GRand *r)
{
	return ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
}

static void rand_f80(uint8_t *v, GRand *r)
{
	static const struct { uint64_t m; uint16_t se; } special[] = {
		{ 0, 0 }, { 0, 0x8000 }, { 0x8000000000000000ull, 0x7fff }, { 0x8000000000000000ull, 0xffff },
		{ 0xc000000000000000ull, 0xffff }, { 0xc000000000000001ull, 0x7fff }, { 0xa000000000000000ull, 0x7fff },
		{ 0x8000000000000001ull, 0xffff }, { 1, 0 }, { 0x7fffffffffffffffull, 0x8000 },
		{ 0x8000000000000000ull, 0 }, { 0x4000000000000000ull, 0x3fff }, { 0x1234, 0x7fff },
		{ 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0xbfff }, { 0xc90fdaa22168c235ull, 0x4000 },
		{ 0x8000000000000000ull, 0x401e }, { 0x8000000000000000ull, 0xc01e }, { 0x8000000000000000ull, 0x403e },
		{ 0xffffffffffffffffull, 0x403d }, { 0xc000000000000000ull, 0x3ffe }, { 0x8000000000000000ull, 0x0001 },
		{ 0xffffffffffffffffull, 0x7ffe }, { 0xc90fdaa22168c234ull, 0x403f }, { 0x8000000000000000ull, 0x3ffd },
		{ 0xffffffffffffffffull, 0x400e }, { 0x8000000000000000ull, 0x400f }, { 0xfffffffffffff800ull, 0x3fff },
		{ 0xffffff8000000000ull, 0x3fff }, { 0x8000000000000400ull, 0x3c00 }, { 0x8000000000000000ull, 0x3f81 },
	};
	uint64_t m;
	uint16_t se;
	switch (g_rand_int_range(r, 0, 5)) {
	case 0: {
		unsigned k = g_rand_int_range(r, 0, G_N_ELEMENTS(special));
		m = special[k].m;
		se = special[k].se;
		break;
	}
	case 1:
		m = r64(r);
		se = (uint16_t)g_rand_int(r);
		break;
	default:
		m = r64(r) | 0x8000000000000000ull;
		se = (uint16_t)(g_rand_int_range(r, 16383 - 70, 16383 + 70) | (g_rand_boolean(r) ? 0x8000 : 0));
		if (g_rand_boolean(r))  /* short mantissas: exact results, integer-ish values */
			m &= ~0ull << g_rand_int_range(r, 1, 64);
	}
	memcpy(v, &m, 8);
	memcpy(v + 8, &se, 2);
}

static void rand_mem(uint8_t *m, unsigned size, GRand *r)
{
	for (unsigned i = 0; i < 128; i++)
		m[i] = (uint8_t)g_rand_int(r);
	uint64_t v;
	switch (size) {
	case 2: case 4: case 8:
		if (g_rand_boolean(r))
			break;  /* random bits */
		if (g_rand_boolean(r)) {  /* small or boundary integers */
			static const int64_t ints[] = { 0, 1, -1, 2, 3, 7, 100, -32768, 32767, 0x7fffffff,
							-0x7fffffffll - 1, INT64_MAX, INT64_MIN, 12345678 };
			v = (uint64_t)ints[g_rand_int_range(r, 0, G_N_ELEMENTS(ints))];
		} else if (size == 4) {  /* float-ish */
			v = (g_rand_int(r) & 0x807fffff) | ((uint32_t)g_rand_int_range(r, 90, 170) << 23);
		} else {
			v = (r64(r) & 0x800fffffffffffffull) | ((uint64_t)g_rand_int_range(r, 960, 1090) << 52);
		}
		memcpy(m, &v, size);
		break;
	case 10:
		if (g_rand_boolean(r))
			rand_f80(m, r);
		else  /* BCD */
			for (unsigned i = 0; i < 9; i++)
				m[i] = (uint8_t)(g_rand_int_range(r, 0, 10) | g_rand_int_range(r, 0, 10) << 4);
		break;
	default:
		break;
	}
}

/* A random FSAVE image (32-bit format): the machine state to start from. */
static void rand_image(uint8_t *img, GRand *r, bool allow_pending)
{
	memset(img, 0, 108);
	uint16_t cw = (uint16_t)(0x3f | (g_rand_int(r) & 0x1f00));
	if (g_rand_int_range(r, 0, 4) == 0)
		cw &= (uint16_t)~(g_rand_int(r) & 0x3f);
	uint16_t sw = (uint16_t)(g_rand_int(r) & 0x7f00 & ~0x80);  /* CC, TOP */
	if (g_rand_int_range(r, 0, 3) == 0)
		sw |= g_rand_int(r) & 0x7f;
	if (!allow_pending)
		sw &= (uint16_t)~(sw & ~cw & 0x3f);
	if (sw & ~cw & 0x3f)
		sw |= 0x8080;
	uint16_t tw = 0;
	unsigned top = (sw >> 11) & 7;
	unsigned depth = g_rand_int_range(r, 0, 9);  /* ST0..ST(depth-1) valid */
	for (unsigned i = 0; i < 8; i++) {
		unsigned phys = (top + i) & 7;
		bool full = i < depth ? g_rand_int_range(r, 0, 10) != 0 : g_rand_int_range(r, 0, 10) == 0;
		if (!full)
			tw |= (uint16_t)(3 << (2 * phys));
		rand_f80(img + 28 + 10 * i, r);
	}
	memcpy(img, &cw, 2);
	memcpy(img + 4, &sw, 2);
	memcpy(img + 8, &tw, 2);
}

static void emu_image(const struct fpu_state *f, uint8_t *img)
{
	memset(img, 0, 108);
	memcpy(img, &f->fcw, 2);
	memcpy(img + 4, &f->fsw, 2);
	memcpy(img + 8, &f->ftw, 2);
	unsigned top = (f->fsw >> 11) & 7;
	for (unsigned i = 0; i < 8; i++)
		memcpy(img + 28 + 10 * i, f->r[(top + i) & 7], 10);
}

static bool image_equal(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, 2) && !memcmp(a + 4, b + 4, 2) && !memcmp(a + 8, b + 8, 2) &&
	       !memcmp(a + 28, b + 28, 80);
}

static void emu_frstor(struct fpu_state *f, const uint8_t *img)
{
	uint8_t m[108];
	memcpy(m, img, 108);
	fpu_reset(f);
	const struct x87_op *op = x87_lookup(0xdd, 0x26, false);
	struct x87_insn in = { .opcode = 0xdd, .modrm = 0x26, .mem = m };
	g_assert_cmpint(op->exec(f, &in), ==, 0);
}

/* FPU_TEST_SEED=n reruns the differential test with other operands. */
static guint32 test_seed(guint32 dflt)
{
	const char *s = g_getenv("FPU_TEST_SEED");
	return s ? (guint32)g_ascii_strtoull(s, NULL, 0) : dflt;
}

static unsigned total_forms, total_cases, total_mf;

static void run_encoding(uint8_t opcode, uint8_t modrm, bool o16, GRand *r, unsigned ncases)
{
	const struct x87_op *op = x87_lookup(opcode, modrm, o16);
	g_assert_nonnull(op);
	bool is_reg = (modrm >> 6) == 3;
	uint8_t insn[3];
	size_t n = 0;
	if (o16)
		insn[n++] = 0x66;
	insn[n++] = opcode;
	insn[n++] = is_reg ? modrm : (uint8_t)((modrm & 0x38) | 6);
	native_fn fn = native_build(&page, stub_pre, sizeof(stub_pre), insn, n, stub_post, sizeof(stub_post));
	unsigned rf = (modrm >> 3) & 7;
	bool env_store = !is_reg && (opcode == 0xd9 || opcode == 0xdd) && rf == 6;
	bool env_load = !is_reg && (opcode == 0xd9 || opcode == 0xdd) && rf == 4;
	total_forms++;
	for (unsigned c = 0; c < ncases; c++) {
		struct nctx in, nat;
		memset(&in, 0, sizeof(in));
		rand_image(in.img, r, true);
		in.rax = r64(r);
		in.rflags = 0x202 | (g_rand_int(r) & 0x8d5);
		rand_mem(in.mem, op->mem_size, r);
		if (env_load) {  /* a plausible environment/state to load */
			uint8_t img[108];
			rand_image(img, r, true);
			if (o16) {  /* 16-bit layout: the same fields packed in 2-byte slots */
				memcpy(in.mem, img, 2);
				memcpy(in.mem + 2, img + 4, 2);
				memcpy(in.mem + 4, img + 8, 2);
				memcpy(in.mem + 14, img + 28, 80);
			} else {
				memcpy(in.mem, img, 108);
				memcpy(in.mem + 16, &in.rax, 4);  /* FCS/FOP garbage */
			}
		}
		nat = in;
		int nvec = run_native(fn, &nat);

		struct fpu_state f;
		emu_frstor(&f, in.img);
		uint8_t mem[128];
		memcpy(mem, in.mem, 128);
		uint64_t rflags = in.rflags;
		uint16_t ax = (uint16_t)in.rax;
		struct x87_insn xi = {
			.opcode = opcode, .modrm = is_reg ? modrm : (uint8_t)(modrm & 0x38), .opsize16 = o16,
			.mem = is_reg ? NULL : mem, .ax = &ax, .fip = 0x1234, .fdp = 0x5678, .rflags = &rflags,
		};
		uint8_t before[108];
		emu_image(&f, before);
		int evec = op->exec(&f, &xi);
		uint8_t after[108];
		emu_image(&f, after);

		bool ok = evec == nvec;
		if (ok && nvec == 0) {
			ok = image_equal(after, nat.img) && ax == (uint16_t)nat.rax &&
			     (rflags & 0x8d5) == (nat.rflags & 0x8d5);
			if (!is_reg && (op->flags & X87_WRITE)) {
				uint8_t a[128], b[128];
				memcpy(a, mem, 128);
				memcpy(b, nat.mem, 128);
				if (env_store) {  /* pointer fields: the host's own addresses */
					unsigned from = o16 ? 6 : 12, to = o16 ? 14 : 28;
					memset(a + from, 0, to - from);
					memset(b + from, 0, to - from);
				}
				ok = ok && !memcmp(a, b, 128);
			}
		} else if (ok) {
			ok = image_equal(after, before);
		}
		if (!ok) {
			g_test_message("%s%02x %02x (%s) case %u: vec native %d emu %d", o16 ? "66 " : "", opcode, modrm,
				       is_reg ? "reg" : "mem", c, nvec, evec);
			const char *names[] = { "in", "native", "emu" };
			const uint8_t *imgs[] = { in.img, nat.img, after };
			for (int k = 0; k < 3; k++) {
				GString *s = g_string_new(NULL);
				uint16_t cw, sw, tw;
				memcpy(&cw, imgs[k], 2); memcpy(&sw, imgs[k] + 4, 2); memcpy(&tw, imgs[k] + 8, 2);
				g_string_append_printf(s, "%-6s cw %04x sw %04x tw %04x st:", names[k], cw, sw, tw);
				for (int i = 0; i < 3; i++) {
					uint64_t mm; uint16_t se;
					memcpy(&mm, imgs[k] + 28 + 10 * i, 8); memcpy(&se, imgs[k] + 36 + 10 * i, 2);
					g_string_append_printf(s, " %04x:%016lx", se, mm);
				}
				g_test_message("  %s", s->str);
				g_string_free(s, TRUE);
			}
			uint64_t m0, m1, e0, e1;
			memcpy(&m0, in.mem, 8); memcpy(&m1, nat.mem, 8); memcpy(&e0, mem, 8);
			memcpy(&e1, in.mem + 8, 8);
			g_test_message("  mem in %016lx:%016lx native %016lx emu %016lx; ax native %04x emu %04x; fl in %lx native %lx emu %lx",
				       e1, m0, m1, e0, (uint16_t)nat.rax, ax, in.rflags, nat.rflags, rflags);
			g_test_fail();
			return;
		}
		total_cases++;
		total_mf += nvec == 16;
	}
}

static void test_encodings(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(test_seed(0x87));
	signal(SIGFPE, on_sigfpe);
	for (unsigned opcode = 0xd8; opcode <= 0xdf; opcode++) {
		for (unsigned rf = 0; rf < 8; rf++) {
			if (x87_lookup(opcode, rf << 3, false))
				run_encoding(opcode, rf << 3, false, r, 1500);
			if ((opcode == 0xd9 || opcode == 0xdd) && (rf == 4 || rf == 6))
				run_encoding(opcode, rf << 3, true, r, 1500);
		}
		for (unsigned modrm = 0xc0; modrm <= 0xff; modrm++)
			if (x87_lookup(opcode, modrm, false))
				run_encoding(opcode, modrm, false, r, 150);
	}
	signal(SIGFPE, SIG_DFL);
	g_assert_cmpuint(total_mf, >, 1000);  /* the #MF path was exercised */
}

static void test_ud(void)
{
	static const uint8_t ud[][2] = {
		{ 0xd9, 0x08 }, { 0xdb, 0x20 }, { 0xdb, 0x30 }, { 0xdd, 0x28 }, { 0xd9, 0xd1 }, { 0xd9, 0xd8 },
		{ 0xd9, 0xe2 }, { 0xd9, 0xe6 }, { 0xd9, 0xef }, { 0xda, 0xe8 }, { 0xda, 0xf0 }, { 0xdb, 0xe5 },
		{ 0xdb, 0xf8 }, { 0xdc, 0xd0 }, { 0xdd, 0xc8 }, { 0xdd, 0xf0 }, { 0xde, 0xd8 }, { 0xde, 0xd0 },
		{ 0xdf, 0xc0 }, { 0xdf, 0xe1 }, { 0xdf, 0xf8 }, { 0xd7, 0xc0 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(ud); i++) {
		if (x87_lookup(ud[i][0], ud[i][1], false))
			g_error("%02x %02x should be #UD", ud[i][0], ud[i][1]);
		total_cases++;
	}
	/* environment sizes follow the operand size */
	g_assert_cmpuint(x87_lookup(0xd9, 0x30, false)->mem_size, ==, 28);
	g_assert_cmpuint(x87_lookup(0xd9, 0x30, true)->mem_size, ==, 14);
	g_assert_cmpuint(x87_lookup(0xdd, 0x20, false)->mem_size, ==, 108);
	g_assert_cmpuint(x87_lookup(0xdd, 0x20, true)->mem_size, ==, 94);
}

/* #MF is reported by the next waiting instruction, FNINIT/FNCLEX clear it. */
static void test_pending_mf(void)
{
	struct fpu_state f;
	fpu_reset(&f);
	uint8_t m[10] = { 0 };
	uint16_t cw = 0x037e;  /* IE unmasked */
	memcpy(m, &cw, 2);
	struct x87_insn in = { .opcode = 0xd9, .modrm = 0x28, .mem = m };  /* FLDCW */
	g_assert_cmpint(x87_lookup(0xd9, 0x28, false)->exec(&f, &in), ==, 0);
	in = (struct x87_insn){ .opcode = 0xd9, .modrm = 0xe8 };  /* FLD1 */
	g_assert_cmpint(x87_lookup(0xd9, 0xe8, false)->exec(&f, &in), ==, 0);
	in = (struct x87_insn){ .opcode = 0xd9, .modrm = 0xc9 };  /* FXCH ST1: ST1 empty, #IS */
	g_assert_cmpint(x87_lookup(0xd9, 0xc9, false)->exec(&f, &in), ==, 0);
	g_assert_true(fpu_pending_mf(&f));
	in = (struct x87_insn){ .opcode = 0xd9, .modrm = 0xe8 };
	g_assert_cmpint(x87_lookup(0xd9, 0xe8, false)->exec(&f, &in), ==, 16);
	in = (struct x87_insn){ .opcode = 0xdb, .modrm = 0xe2 };  /* FNCLEX */
	g_assert_cmpint(x87_lookup(0xdb, 0xe2, false)->exec(&f, &in), ==, 0);
	g_assert_false(fpu_pending_mf(&f));
	total_cases++;
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/x87/encodings-vs-host", test_encodings);
	g_test_add_func("/x87/ud", test_ud);
	g_test_add_func("/x87/pending-mf", test_pending_mf);
	int rc = g_test_run();
	printf("# test-x87: %u forms (each valid encoding, 16/32-bit env variants), %u cases (%u raising #MF)\n",
	       total_forms, total_cases, total_mf);
	return rc;
}
