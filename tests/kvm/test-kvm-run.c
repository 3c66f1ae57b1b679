/* Exit translation (kvm_run.c): a kvm_run page as KVM fills it becomes
 * the shared loop's struct vcpu_exit; bad layouts become errors. */
#include "vmm/kvm/kvm_priv.h"

#include <glib.h>
#include <signal.h>
#include <string.h>

#define RUN_SIZE 12288  /* KVM_GET_VCPU_MMAP_SIZE on the CI host */

static struct kvm_run *new_run(void)
{
	return g_malloc0(RUN_SIZE);
}

static void test_io(void)
{
	g_autofree struct kvm_run *run = new_run();
	struct vcpu_exit ex;
	bool pending = false;
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.size = 1;
	run->io.port = 0x3F8;
	run->io.count = 5;  /* rep outsb */
	run->io.data_offset = 4096;
	memcpy((uint8_t *)run + 4096, "hello", 5);
	memset(&ex, 0, sizeof(ex));
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_IO);
	g_assert_cmpuint(ex.io.port, ==, 0x3F8);
	g_assert_cmpuint(ex.io.size, ==, 1);
	g_assert_cmpuint(ex.io.count, ==, 5);
	g_assert_true(ex.io.is_write);
	/* The data stays in the kvm_run page: IN results land where KVM reads them. */
	g_assert_true(ex.io.data == (uint8_t *)run + 4096);
	g_assert_false(pending);

	run->io.direction = KVM_EXIT_IO_IN;
	run->io.size = 4;
	run->io.count = 1;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_IO);
	g_assert_false(ex.io.is_write);
	g_assert_cmpuint(ex.io.size, ==, 4);
}

static void test_io_bad_layout(void)
{
	g_autofree struct kvm_run *run = new_run();
	struct vcpu_exit ex;
	bool pending = false;
	run->exit_reason = KVM_EXIT_IO;
	run->io.size = 4;
	run->io.count = 2000;  /* 8000 bytes from 8192 would pass the page's end */
	run->io.data_offset = 8192;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
	g_assert_nonnull(strstr(ex.error, "bad layout"));
	run->io.count = 1;
	run->io.size = 3;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
	run->io.size = 1;
	run->io.data_offset = RUN_SIZE;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
	run->io.data_offset = RUN_SIZE - 1;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_IO);
}

static void test_mmio(void)
{
	g_autofree struct kvm_run *run = new_run();
	struct vcpu_exit ex;
	bool pending = false;
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = 0xC0001000;
	run->mmio.len = 4;
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_MMIO);
	g_assert_cmphex(ex.mmio.addr, ==, 0xC0001000);
	g_assert_cmpuint(ex.mmio.len, ==, 4);
	g_assert_true(ex.mmio.is_write);
	g_assert_cmpmem(ex.mmio.data, 8, "\x11\x22\x33\x44\0\0\0\0", 8);  /* only len bytes */
	g_assert_false(pending);

	run->mmio.is_write = 0;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_MMIO);
	g_assert_false(ex.mmio.is_write);
	g_assert_true(pending);  /* the answer goes back before the next KVM_RUN */

	run->mmio.len = 9;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
	run->mmio.len = 0;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
}

static void test_other_exits(void)
{
	g_autofree struct kvm_run *run = new_run();
	struct vcpu_exit ex;
	bool pending = false;
	run->exit_reason = KVM_EXIT_SHUTDOWN;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_SHUTDOWN);
	run->exit_reason = KVM_EXIT_HLT;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_HLT);
	run->exit_reason = KVM_EXIT_INTR;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_SLICE);
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = KVM_SYSTEM_EVENT_RESET;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_SHUTDOWN);
	run->system_event.type = KVM_SYSTEM_EVENT_CRASH;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = 0x80000021;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
	g_assert_nonnull(strstr(ex.error, "0x80000021"));
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
	g_assert_nonnull(strstr(ex.error, "emulate"));
	/* A stale flags word without ndata (older kernels) names no bytes. */
	run->emulation_failure.ndata = 0;
	run->emulation_failure.flags = KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES;
	run->emulation_failure.insn_size = 3;
	memcpy(run->emulation_failure.insn_bytes, "\x0f\x01\xd0", 3);
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
	g_assert_null(strstr(ex.error, "bytes"));
	/* With the instruction bytes KVM reports, the message names them. */
	run->emulation_failure.ndata = 3;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
	g_assert_nonnull(strstr(ex.error, "bytes: 0f 01 d0)"));
	run->emulation_failure.insn_size = 200;  /* clamped to the 15-byte array */
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
	run->exit_reason = 999;
	g_assert_cmpint(kvm_translate_exit(run, RUN_SIZE, &ex, &pending), ==, VCPU_EXIT_ERROR);
	g_assert_nonnull(strstr(ex.error, "999"));
}

/* The kick signal's handler restarts interrupted syscalls: a kick that
 * lands while the vCPU thread dispatches an exit (disk or chardev I/O)
 * must not fail that I/O with EINTR. */
static void test_kick_signal(void)
{
	g_assert_true(kvm_kick_signal_init(NULL));
	struct sigaction sa;
	g_assert_cmpint(sigaction(SIGRTMIN, NULL, &sa), ==, 0);
	g_assert_true(sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN);
	g_assert_true(sa.sa_flags & SA_RESTART);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvm/run/io", test_io);
	g_test_add_func("/kvm/run/io-bad-layout", test_io_bad_layout);
	g_test_add_func("/kvm/run/mmio", test_mmio);
	g_test_add_func("/kvm/run/other-exits", test_other_exits);
	g_test_add_func("/kvm/run/kick-signal", test_kick_signal);
	return g_test_run();
}
