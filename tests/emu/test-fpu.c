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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/fpu/reset", test_reset);
	g_test_add_func("/fpu/fxsave-vs-host", test_fxsave_vs_host);
	g_test_add_func("/fpu/mxcsr", test_mxcsr);
	int rc = g_test_run();
	printf("# test-fpu: 4 forms (FXSAVE, FXRSTOR, LDMXCSR, STMXCSR; 32/64-bit images), %u cases\n", cases);
	return rc;
}
