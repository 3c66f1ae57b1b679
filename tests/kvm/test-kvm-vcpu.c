/* The kvm engine's VM and vCPU on the real /dev/kvm, without the machine
 * loop: the loader's initial state goes in through set_state and comes back
 * identical through get_state (KVM_GET_REGS/SREGS/FPU/XSAVE/MSRS, which
 * the shared loop never calls under kvm; MXCSR goes through the XSAVE
 * image because KVM_SET_FPU and KVM_GET_FPU skip it); KVM_RUN's exits, translated by
 * kvm_translate_exit, carry what the instructions did (MMIO read answered
 * through the same vcpu_exit, MMIO write data, port OUT data, port IN
 * answered in the kvm_run page); kicks: one before KVM_RUN (immediate_exit)
 * and one at a thread inside KVM_RUN (the signal). Skipped, with the
 * probe's reason, where KVM is not usable. */
#include "vmm/boot/boot.h"
#include "vmm/kvm/kvm.h"
#include "vmm/kvm/kvm_priv.h"
#include "vmm/layout.h"
#include "vmm/machine.h"

#include <glib.h>
#include <string.h>
#include <sys/ioctl.h>

#define MMIO_BASE 0xD0000000u   /* in the PCI hole, no slot: every access exits */

/* At the ELF entry (long mode, identity paging):
 *   mov ebx, 0xd0000000 ; mov eax, [rbx] ; mov [rbx+8], eax ; out 0xf4, al
 *   in eax, 0x80 ; mov [rbx+0x10], eax ; jmp $ */
static const uint8_t guest_code[] = {
	0xBB, 0x00, 0x00, 0x00, 0xD0, 0x8B, 0x03, 0x89, 0x43, 0x08, 0xE6, 0xF4,
	0xE5, 0x80, 0x89, 0x43, 0x10, 0xEB, 0xFE,
};
#define JMP_SELF_OFFSET 17

struct fixture {
	struct machine *m;
	struct kvm_vm *vm;
	struct engine_vcpu *v;
	struct cpu_state boot;
};

static bool setup(struct fixture *f)
{
	g_autoptr(GError) err = NULL;
	if (!kvm_probe(&err)) {
		g_test_skip(err->message);
		return false;
	}
	const char *builddir = g_getenv("top_builddir");
	g_autofree char *path = g_build_filename(builddir ? builddir : ".", "tests/guests/hello64.elf", NULL);
	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		g_test_skip("tests/guests/hello64.elf not built");
		return false;
	}
	f->m = g_new0(struct machine, 1);
	f->m->ncpus = 1;
	vclock_init(&f->m->clock, VCLOCK_REALTIME);
	g_assert_true(guest_mem_init(&f->m->mem, 64 * MiB, NULL));
	struct boot_config bc = { .kernel = path, .ncpus = 1, .acpi = true };
	g_assert_true(boot_load(&f->m->mem, &bc, &f->boot, &err));
	g_assert_true(guest_mem_write(&f->m->mem, f->boot.regs.rip, guest_code, sizeof(guest_code)));
	/* Distinct values, so that a swapped or dropped MSR shows. */
	cpu_state_set_msr(&f->boot, 0xC0000082, 0xFFFFFFFF81000000ULL);  /* LSTAR */
	cpu_state_set_msr(&f->boot, 0xC0000102, 0x12345000ULL);          /* KERNEL_GS_BASE */
	cpu_state_set_msr(&f->boot, 0x175, 0x8000ULL);                   /* SYSENTER_ESP */
	f->boot.fpu.mxcsr = 0x1FC0;  /* the default plus DAZ: KVM_SET/GET_FPU would lose it */
	f->vm = kvm_vm_create(f->m, &err);
	g_assert_no_error(err);
	f->v = kvm_vcpu_create(f->vm, 0, &err);
	g_assert_no_error(err);
	g_assert_true(kvm_vcpu_set_state(f->v, &f->boot, &err));
	g_assert_no_error(err);
	return true;
}

static void teardown(struct fixture *f)
{
	kvm_vcpu_destroy(f->v);
	kvm_vm_destroy(f->vm);
	guest_mem_destroy(&f->m->mem);
	g_free(f->m);
}

static uint64_t msr_of(const struct cpu_state *s, uint32_t index)
{
	for (unsigned i = 0; i < s->nmsrs; i++)
		if (s->msrs[i].index == index)
			return s->msrs[i].data;
	g_assert_not_reached();
}

static void test_state_roundtrip(void)
{
	struct fixture f = { 0 };
	if (!setup(&f))
		return;
	struct cpu_state got;
	g_autoptr(GError) err = NULL;
	g_assert_true(kvm_vcpu_get_state(f.v, &got, &err));
	g_assert_no_error(err);
	g_assert_cmphex(got.regs.rip, ==, f.boot.regs.rip);
	g_assert_cmphex(got.regs.rsp, ==, f.boot.regs.rsp);
	g_assert_cmphex(got.regs.rflags, ==, f.boot.regs.rflags);
	g_assert_cmphex(got.sregs.cr0, ==, f.boot.sregs.cr0);
	g_assert_cmphex(got.sregs.cr3, ==, f.boot.sregs.cr3);
	g_assert_cmphex(got.sregs.cr4, ==, f.boot.sregs.cr4);
	g_assert_cmphex(got.sregs.efer, ==, f.boot.sregs.efer);
	g_assert_cmphex(got.sregs.cs.selector, ==, f.boot.sregs.cs.selector);
	g_assert_cmpuint(got.sregs.cs.l, ==, 1);
	g_assert_cmphex(got.sregs.gdt.base, ==, f.boot.sregs.gdt.base);
	g_assert_cmphex(got.sregs.apic_base, ==, LAYOUT_LAPIC_BASE | 0x900);  /* enabled, BSP */
	g_assert_cmphex(got.fpu.fcw, ==, f.boot.fpu.fcw);
	g_assert_cmphex(got.fpu.mxcsr, ==, f.boot.fpu.mxcsr);
	g_assert_cmphex(msr_of(&got, 0xC0000082), ==, 0xFFFFFFFF81000000ULL);
	g_assert_cmphex(msr_of(&got, 0xC0000102), ==, 0x12345000ULL);
	g_assert_cmphex(msr_of(&got, 0x175), ==, 0x8000ULL);
	g_assert_cmphex(msr_of(&got, 0x1A0) & 1, ==, 1);  /* MISC_ENABLE fast strings */
	teardown(&f);
}

static void test_exits(void)
{
	struct fixture f = { 0 };
	if (!setup(&f))
		return;
	struct vcpu_exit ex;
	memset(&ex, 0, sizeof(ex));
	/* mov eax, [0xd0000000]: an MMIO read; the answer goes back through ex. */
	g_assert_cmpint(kvm_vcpu_run(f.v, &ex), ==, VCPU_EXIT_MMIO);
	g_assert_cmphex(ex.mmio.addr, ==, MMIO_BASE);
	g_assert_cmpuint(ex.mmio.len, ==, 4);
	g_assert_false(ex.mmio.is_write);
	memcpy(ex.mmio.data, "\x78\x56\x34\x12", 4);
	/* mov [rbx+8], eax: the value read comes back as write data. */
	g_assert_cmpint(kvm_vcpu_run(f.v, &ex), ==, VCPU_EXIT_MMIO);
	g_assert_cmphex(ex.mmio.addr, ==, MMIO_BASE + 8);
	g_assert_true(ex.mmio.is_write);
	g_assert_cmpmem(ex.mmio.data, 4, "\x78\x56\x34\x12", 4);
	/* out 0xf4, al */
	g_assert_cmpint(kvm_vcpu_run(f.v, &ex), ==, VCPU_EXIT_IO);
	g_assert_cmphex(ex.io.port, ==, 0xF4);
	g_assert_cmpuint(ex.io.size, ==, 1);
	g_assert_cmpuint(ex.io.count, ==, 1);
	g_assert_true(ex.io.is_write);
	g_assert_cmphex(ex.io.data[0], ==, 0x78);
	/* in eax, 0x80: the answer is written into the kvm_run page. */
	g_assert_cmpint(kvm_vcpu_run(f.v, &ex), ==, VCPU_EXIT_IO);
	g_assert_cmphex(ex.io.port, ==, 0x80);
	g_assert_cmpuint(ex.io.size, ==, 4);
	g_assert_false(ex.io.is_write);
	memcpy(ex.io.data, "\x0d\xf0\xfe\xca", 4);
	/* mov [rbx+0x10], eax */
	g_assert_cmpint(kvm_vcpu_run(f.v, &ex), ==, VCPU_EXIT_MMIO);
	g_assert_cmphex(ex.mmio.addr, ==, MMIO_BASE + 0x10);
	g_assert_cmpmem(ex.mmio.data, 4, "\x0d\xf0\xfe\xca", 4);
	/* A kick before KVM_RUN: immediate_exit, nothing runs. */
	kvm_vcpu_kick(f.v);
	g_assert_cmpint(kvm_vcpu_run(f.v, &ex), ==, VCPU_EXIT_SLICE);
	struct cpu_state st;
	g_assert_true(kvm_vcpu_get_state(f.v, &st, NULL));
	g_assert_cmphex(st.regs.rax, ==, 0xCAFEF00D);
	g_assert_cmphex(st.regs.rbx, ==, MMIO_BASE);
	g_assert_cmphex(st.regs.rip, ==, f.boot.regs.rip + JMP_SELF_OFFSET);
	teardown(&f);
}

static gpointer run_thread(gpointer data)
{
	struct engine_vcpu *v = data;
	struct vcpu_exit ex;
	memset(&ex, 0, sizeof(ex));
	return GINT_TO_POINTER(kvm_vcpu_run(v, &ex));
}

/* A thread spinning in the guest (jmp $) inside KVM_RUN leaves it when
 * kicked: immediate_exit if the kick lands before the ioctl, the signal if
 * inside. Either way run() returns VCPU_EXIT_SLICE; nothing here waits for
 * time, only for the thread to say it is about to enter KVM_RUN. */
static void test_kick_thread(void)
{
	struct fixture f = { 0 };
	if (!setup(&f))
		return;
	g_assert_true(kvm_kick_signal_init(NULL));
	/* Straight to the jmp $. */
	struct kvm_regs regs;
	g_assert_cmpint(ioctl(f.v->fd, KVM_GET_REGS, &regs), ==, 0);
	regs.rip = f.boot.regs.rip + JMP_SELF_OFFSET;
	g_assert_cmpint(ioctl(f.v->fd, KVM_SET_REGS, &regs), ==, 0);
	GThread *t = g_thread_new("vcpu0", run_thread, f.v);
	while (!g_atomic_int_get(&f.v->thread_known))
		g_thread_yield();
	kvm_vcpu_kick(f.v);
	g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(t)), ==, VCPU_EXIT_SLICE);
	teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvm/vcpu/state-roundtrip", test_state_roundtrip);
	g_test_add_func("/kvm/vcpu/exits", test_exits);
	g_test_add_func("/kvm/vcpu/kick-thread", test_kick_thread);
	return g_test_run();
}
