/* FPU state basics: reset values, KVM conversion, and FXSAVE/FXRSTOR/
 * LDMXCSR/STMXCSR images compared with the host CPU's own instructions. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "vmm/emu/fpu.h"

static unsigned cases;

static void test_reset(void)
{
	struct fpu_state f;
	fpu_reset(&f);
	g_assert_cmphex(f.fcw, ==, 0x40);
	g_assert_cmphex(f.mxcsr, ==, 0x1f80);
	g_assert_cmphex(f.ftw, ==, 0xffff);
	g_assert_false(fpu_pending_mf(&f));
	cases++;
}

static void random_image(uint8_t img[512], GRand *r)
{
	for (unsigned i = 0; i < 512; i++)
		img[i] = (uint8_t)g_rand_int(r);
	uint32_t mx = g_rand_int(r) & 0xffff;
	memcpy(img + 24, &mx, 4);
	img[5] = 0;
	uint16_t fop = img[6] | (img[7] << 8);
	fop &= 0x7ff;
	memcpy(img + 6, &fop, 2);
	/* a sprinkle of zero/special registers so the full tag word varies */
	for (unsigned i = 0; i < 8; i++) {
		unsigned k = g_rand_int_range(r, 0, 4);
		if (k == 0)
			memset(img + 32 + 16 * i, 0, 10);
		else if (k == 1)
			img[32 + 16 * i + 9] |= 0x7f, img[32 + 16 * i + 8] = 0xff;
	}
}

/* Runs FXRSTOR(64) img; FXSAVE(64) out on the host, keeping the host's own state. */
static void host_roundtrip(const uint8_t *img, uint8_t *out, bool w)
{
	static uint8_t save[512] __attribute__((aligned(16)));
	static uint8_t in[512] __attribute__((aligned(16)));
	static uint8_t o[512] __attribute__((aligned(16)));
	memcpy(in, img, 512);
	memcpy(o, out, 512);
	if (w)
		asm volatile("fxsave64 %0\n\tfxrstor64 %1\n\tfxsave64 %2\n\tfxrstor64 %0"
			     : "+m"(save), "+m"(in), "+m"(o) :: "memory");
	else
		asm volatile("fxsave64 %0\n\tfxrstor %1\n\tfxsave %2\n\tfxrstor64 %0"
			     : "+m"(save), "+m"(in), "+m"(o) :: "memory");
	memcpy(out, o, 512);
}

static void emu_roundtrip(const uint8_t *img, uint8_t *out, bool w)
{
	struct fpu_state f;
	fpu_reset(&f);
	uint8_t in[512];
	memcpy(in, img, 512);
	struct simd_insn ins = { .map = 1, .opcode = 0xae, .rex_w = w, .mem = in };
	const struct simd_op *rst = simd_lookup(0, 1, 0xae, 0x08);
	const struct simd_op *sav = simd_lookup(0, 1, 0xae, 0x00);
	g_assert_nonnull(rst);
	g_assert_nonnull(sav);
	g_assert_cmpuint(rst->mem_size, ==, 512);
	g_assert_cmpuint(sav->flags & SIMD_ALIGN16, !=, 0);
	g_assert_cmpint(rst->exec(&f, &ins), ==, 0);
	/* and through KVM's structure, which must not lose anything */
	struct kvm_fpu k;
	fpu_to_kvm(&f, &k);
	struct fpu_state g;
	fpu_from_kvm(&g, &k);
	g.fcs = f.fcs;
	g.fds = f.fds;
	if (!w) {  /* kvm keeps 64-bit pointers; 32-bit images carry only 32 */
		g.fip = f.fip;
		g.fdp = f.fdp;
	}
	g_assert_cmpmem(&g, sizeof(g), &f, sizeof(f));
	ins.mem = out;
	g_assert_cmpint(sav->exec(&g, &ins), ==, 0);
}

static void test_fxsave_vs_host(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(1);
	for (unsigned n = 0; n < 2000; n++) {
		uint8_t img[512], a[512], b[512];
		random_image(img, r);
		bool w = n & 1;
		memset(a, 0xa5, 512);
		memset(b, 0xa5, 512);
		host_roundtrip(img, a, w);
		emu_roundtrip(img, b, w);
		if (memcmp(a, b, 512) != 0) {
			for (unsigned i = 0; i < 512; i++)
				if (a[i] != b[i])
					g_test_message("case %u w=%d byte %u: host %02x emu %02x", n, w, i, a[i], b[i]);
			g_assert_not_reached();
		}
		cases++;
	}
}

static void test_mxcsr(void)
{
	struct fpu_state f;
	fpu_reset(&f);
	uint8_t m[4];
	struct simd_insn ins = { .map = 1, .opcode = 0xae, .mem = m };
	const struct simd_op *ld = simd_lookup(0, 1, 0xae, 0x10);
	const struct simd_op *st = simd_lookup(0, 1, 0xae, 0x18);
	uint32_t v = 0x9fc0;
	memcpy(m, &v, 4);
	g_assert_cmpint(ld->exec(&f, &ins), ==, 0);
	g_assert_cmphex(f.mxcsr, ==, 0x9fc0);
	memset(m, 0, 4);
	g_assert_cmpint(st->exec(&f, &ins), ==, 0);
	g_assert_cmpmem(m, 4, &v, 4);
	v = 0x10000 | 0x1f80;
	memcpy(m, &v, 4);
	g_assert_cmpint(ld->exec(&f, &ins), ==, 13);
	g_assert_cmphex(f.mxcsr, ==, 0x9fc0);
	/* register forms and other prefixes are not ours */
	g_assert_null(simd_lookup(0, 1, 0xae, 0xf0));
	g_assert_null(simd_lookup(0xf3, 1, 0xae, 0x00));
	cases += 4;
}

/* x87 state loaded by FRSTOR shows up in FXSAVE exactly as on the host
 * (abridged tags, TOP, condition codes, registers in stack order). */
static void test_x87_in_fxsave(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(7);
	static uint8_t save[512] __attribute__((aligned(16)));
	static uint8_t img[108] __attribute__((aligned(16)));
	static uint8_t nat[512] __attribute__((aligned(16)));
	for (unsigned n = 0; n < 2000; n++) {
		for (unsigned i = 0; i < 108; i++)
			img[i] = (uint8_t)g_rand_int(r);
		for (unsigned i = 0; i < 8; i++)  /* mostly plausible numbers, some zeros */
			if (g_rand_boolean(r))
				img[28 + 10 * i + 7] |= 0x80;
			else if (g_rand_boolean(r))
				memset(img + 28 + 10 * i, 0, 10);
		img[4] &= 0x7f;  /* ES is recomputed anyway */
		asm volatile("fxsave64 %0\n\tfrstor %1\n\tfxsave64 %2\n\tfxrstor64 %0"
			     : "+m"(save), "+m"(img), "=m"(nat) :: "memory");
		struct fpu_state f;
		fpu_reset(&f);
		uint8_t m[108];
		memcpy(m, img, 108);
		struct x87_insn xi = { .opcode = 0xdd, .modrm = 0x20, .mem = m };
		g_assert_cmpint(x87_lookup(0xdd, 0x20, false)->exec(&f, &xi), ==, 0);
		uint8_t emu[512] = { 0 };
		struct simd_insn si = { .map = 1, .opcode = 0xae, .rex_w = true, .mem = emu };
		g_assert_cmpint(simd_lookup(0, 1, 0xae, 0)->exec(&f, &si), ==, 0);
		/* FOP/FIP/FDP are the host's own; MXCSR and XMM are not part of this */
		g_assert_cmpmem(emu, 6, nat, 6);
		g_assert_cmpmem(emu + 32, 128, nat + 32, 128);
		cases++;
	}
}

/* FOP/FIP/FDP: set by non-control instructions (FDP only with a memory
 * operand), kept by control ones, cleared by FNINIT; seen in FXSAVE64. */
static void test_x87_pointers(void)
{
	struct fpu_state f;
	fpu_reset(&f);
	uint8_t m[16] = { 0, 0, 0x80, 0x3f };  /* 1.0f */
	struct x87_insn xi = { .opcode = 0xd9, .modrm = 0x05, .mem = m, .fip = 0x112233445566, .fdp = 0xabcdef01 };
	g_assert_cmpint(x87_lookup(0xd9, 0x05, false)->exec(&f, &xi), ==, 0);  /* FLD m32 */
	g_assert_cmphex(f.fop, ==, 0x105);
	g_assert_cmphex(f.fip, ==, 0x112233445566);
	g_assert_cmphex(f.fdp, ==, 0xabcdef01);
	xi = (struct x87_insn){ .opcode = 0xd9, .modrm = 0x38, .mem = m, .fip = 1, .fdp = 2 };  /* FNSTCW */
	g_assert_cmpint(x87_lookup(0xd9, 0x38, false)->exec(&f, &xi), ==, 0);
	g_assert_cmphex(f.fop, ==, 0x105);
	g_assert_cmphex(f.fip, ==, 0x112233445566);
	xi = (struct x87_insn){ .opcode = 0xd8, .modrm = 0xc0, .fip = 0x777 };  /* FADD ST0, ST0 */
	g_assert_cmpint(x87_lookup(0xd8, 0xc0, false)->exec(&f, &xi), ==, 0);
	g_assert_cmphex(f.fop, ==, 0x0c0);
	g_assert_cmphex(f.fip, ==, 0x777);
	g_assert_cmphex(f.fdp, ==, 0xabcdef01);
	uint8_t img[512] = { 0 };
	struct simd_insn si = { .map = 1, .opcode = 0xae, .rex_w = true, .mem = img };
	g_assert_cmpint(simd_lookup(0, 1, 0xae, 0)->exec(&f, &si), ==, 0);
	uint16_t fop;
	uint64_t fip, fdp;
	memcpy(&fop, img + 6, 2);
	memcpy(&fip, img + 8, 8);
	memcpy(&fdp, img + 16, 8);
	g_assert_cmphex(fop, ==, 0x0c0);
	g_assert_cmphex(fip, ==, 0x777);
	g_assert_cmphex(fdp, ==, 0xabcdef01);
	long double two;
	memcpy(&two, img + 32, 10);
	g_assert_true(two == 2.0L);
	xi = (struct x87_insn){ .opcode = 0xdb, .modrm = 0xe3, .fip = 5 };  /* FNINIT */
	g_assert_cmpint(x87_lookup(0xdb, 0xe3, false)->exec(&f, &xi), ==, 0);
	g_assert_cmphex(f.fop, ==, 0);
	g_assert_cmphex(f.fip, ==, 0);
	g_assert_cmphex(f.fdp, ==, 0);
	g_assert_cmphex(f.fcw, ==, 0x37f);
	g_assert_cmphex(f.ftw, ==, 0xffff);
	cases += 10;
}

/* Guest control words never leak into the host: after x87 and SSE execs
 * under odd guest rounding/precision/FTZ/DAZ settings, the host's own FCW,
 * MXCSR and arithmetic are as before. */
static void test_host_state_kept(void)
{
	uint16_t cw0, cw1;
	uint32_t mx0, mx1;
	asm volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(cw0), "=m"(mx0));
	struct fpu_state f;
	fpu_reset(&f);
	uint8_t m[16] = { 0x7f, 0x0c };  /* FCW: round toward zero, 24-bit precision, all masked */
	struct x87_insn xi = { .opcode = 0xd9, .modrm = 0x28, .mem = m };
	g_assert_cmpint(x87_lookup(0xd9, 0x28, false)->exec(&f, &xi), ==, 0);  /* FLDCW */
	xi = (struct x87_insn){ .opcode = 0xd9, .modrm = 0xeb };
	g_assert_cmpint(x87_lookup(0xd9, 0xeb, false)->exec(&f, &xi), ==, 0);  /* FLDPI */
	f.mxcsr = 0xffc0;  /* FTZ, DAZ, round toward zero, all masked */
	uint64_t gpr[16] = { 0 };
	struct simd_insn si = { .map = 1, .opcode = 0x58, .reg = 0, .rm = 1, .rm_is_reg = true, .gpr = gpr };
	g_assert_cmpint(simd_lookup(0, 1, 0x58, 0xc1)->exec(&f, &si), ==, 0);  /* ADDPS */
	asm volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(cw1), "=m"(mx1));
	g_assert_cmphex(cw1, ==, cw0);
	g_assert_cmphex(mx1 & ~0x3fu, ==, mx0 & ~0x3fu);
	/* computed at run time, compared with the compiler's round-to-nearest constants */
	volatile long double one_l = 1.0L, three_l = 3.0L;
	volatile double one = 1.0, three = 3.0;
	g_assert_true(one_l / three_l == 1.0L / 3.0L);
	g_assert_true(one / three == 1.0 / 3.0);
	g_assert_true((long double)one / three != (double)(1.0 / 3.0));  /* still 64-bit precision */
	cases++;
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/fpu/reset", test_reset);
	g_test_add_func("/fpu/fxsave-vs-host", test_fxsave_vs_host);
	g_test_add_func("/fpu/mxcsr", test_mxcsr);
	g_test_add_func("/fpu/x87-in-fxsave", test_x87_in_fxsave);
	g_test_add_func("/fpu/x87-pointers", test_x87_pointers);
	g_test_add_func("/fpu/host-state-kept", test_host_state_kept);
	int rc = g_test_run();
	printf("# test-fpu: 4 forms (FXSAVE, FXRSTOR, LDMXCSR, STMXCSR; 32/64-bit images) + x87 state/pointer checks, %u cases\n", cases);
	return rc;
}
