; Freestanding device test guest (ELF64, entered in long mode with identity
; paging of 0-4 GiB by tandem's ELF loader), written for the kvm engine:
; every check goes through a path that differs between the engines
; (KVM_EXIT_IO string I/O, KVM_EXIT_MMIO reads answered by the device
; model, the in-kernel PIC/IOAPIC/PIT/LAPIC, the GSI routing, KVM_SIGNAL_MSI).
; Run with --rng and no other virtio device (virtio-rng is PCI slot 1).
;
; Prints "kvm-devices:" then one letter per check on COM1, upper case for a
; pass, lower case for a failure:
;   S  rep insd from the PCI config data port (one exit, count 4) reads the
;      virtio-rng's id four times
;   M  MMIO reads through KVM_EXIT_MMIO: common config num_queues, a
;      feature word selected by an MMIO write, an MSI-X vector control, an
;      unassigned address (all ones), an MSI-X entry written and read back
;   P  PIT IRQ0 -> in-kernel PIC -> LAPIC LVT0 (ExtINT, set up for the BSP)
;   A  PIT IRQ0 -> IOAPIC pin 2 (the MADT override, i.e. GSI 0 is routed to
;      pin 2), and never to pin 0
;   T  LAPIC timer (one-shot)
;   L  virtio-rng with MSI-X off completes a request on INTx: PCI slot 1
;      INTA is GSI 17 (KVM_IRQ_LINE), IOAPIC pin 17, level, active low as
;      the MP table and the DSDT say; reading the ISR lowers the line
;   X  virtio-rng completes a request and signals MSI-X vector 0, which
;      reaches the CPU as vector 0x40 (KVM_SIGNAL_MSI)
;   C  (nasm -DCHECK_AP, run with --cpus 2) INIT and a Startup IPI through
;      the in-kernel LAPIC start APIC 1 in real mode at 0x10000; it writes a
;      flag there and 'Y' to COM1 (a port exit on the AP's own vCPU thread)
;   I  (same variant) what each vCPU sees: CPUID leaf 1 APIC id 0 on the
;      BSP and 1 on the AP, 2 logical processors, the hypervisor bit, no
;      VMX; leaf 0xB core level with 2 processors and x2APIC id 0; the
;      APIC base MSR enabled at 0xFEE00000 with the BSP flag only on the BSP
;   H  (nasm -DCHECK_HIGH, run with --memory 5G) RAM right below the PCI
;      hole and at 4 GiB keeps what is written, the hole does not
; An unexpected exception prints 'E' and exits with status 253.
;
; Then, chosen at assembly time (nasm -DFINAL_xxx):
;   default      isa-debug-exit with the number of passes (7 -> status 15)
;   FINAL_S5     ACPI S5 through PM1a_CNT (0x604): tandem exits 0
;   FINAL_CF9    reset through port 0xCF9 (value 6)
;   FINAL_KBD    reset through the keyboard controller (0xFE to port 0x64)
;   FINAL_TRIPLE a triple fault (ud2 with an empty IDT)
;   FINAL_CMPXCHG16B, FINAL_INT3: executes that instruction, then exits as
;                the default does (int3 goes through the exception handler:
;                status 253). Hosts whose KVM is PVM stop there instead
;                (KVM's instruction emulator cannot do either).
; For the resets, CMOS byte 0x4F (kept across a reset, as on a PC) marks
; the first boot: the second boot prints "rebooted" and exits with 0x22
; (status 69), so a reset without --no-reboot is seen to run the guest again.
bits 64
section .text
global _start

IOB        equ 0xc000          ; BAR0: legacy virtio registers
MSIX_BAR   equ 0xc0000000      ; BAR1: MSI-X table (4 KiB)
MODERN_BAR equ 0xc0004000      ; BAR2: modern regions (16 KiB)
UNASSIGNED equ 0xfed00000      ; HPET's usual place: nothing there
LAPIC      equ 0xfee00000
IOAPIC     equ 0xfec00000
RING       equ 0x300000        ; legacy ring: desc, avail, then used (page-aligned)
BUF        equ 0x320000
CMOS_MARK  equ 0x4f

V_PIC      equ 0x20            ; PIC master base: IRQ0 -> 0x20
V_PIT      equ 0x30            ; IOAPIC pin 2
V_WRONG    equ 0x32            ; IOAPIC pin 0 (must stay silent)
V_LT       equ 0x31            ; LAPIC timer
V_MSI      equ 0x40            ; MSI-X vector 0
V_INTX     equ 0x41            ; IOAPIC pin 17: slot 1 INTA
GSI_INTA   equ 17

%macro pcicfg_addr 1            ; slot 1, function 0, register %1
	mov dx, 0xcf8
	mov eax, 0x80000000 | (1 << 11) | %1
	out dx, eax
	mov dx, 0xcfc
%endmacro

%macro pcicfg_w32 2
	pcicfg_addr %1
	mov eax, %2
	out dx, eax
%endmacro

%macro check 1                  ; ZF set: pass; letter %1
	mov al, %1
	call result
%endmacro

_start:
	lea rsp, [rel stack_top]
	xor r12d, r12d              ; passes
	call idt_setup
	lea rsi, [rel banner]
	mov ecx, banner_len
	mov dx, 0x3f8
	rep outsb                   ; one KVM_EXIT_IO with count > 1

	; second boot after a reset?
	mov al, CMOS_MARK
	out 0x70, al
	in al, 0x71
	cmp al, 0xa5
	je rebooted

	; ---- S: string I/O, count > 1 ----
	pcicfg_addr 0
	lea rdi, [rel sbuf]
	mov ecx, 4
	rep insd
	lea rsi, [rel sbuf]
	mov ecx, 4
.s:	cmp dword [rsi], 0x10051af4 ; virtio-rng, transitional
	jne .sdone
	add rsi, 4
	loop .s
	xor eax, eax                ; all four matched: ZF
.sdone:	check 'S'

	; ---- PCI: BARs, I/O + memory + bus master ----
	pcicfg_w32 0x10, IOB | 1
	pcicfg_w32 0x14, MSIX_BAR
	pcicfg_w32 0x18, MODERN_BAR
	pcicfg_w32 0x04, 7

	; ---- M: MMIO exits ----
	xor r13d, r13d              ; failures
	mov ebx, MODERN_BAR
	movzx eax, word [rbx + 0x12] ; num_queues
	cmp eax, 1
	setne al
	add r13b, al
	mov dword [rbx + 0x00], 1   ; device_feature_select = 1
	mov eax, [rbx + 0x04]       ; features 32-63: VERSION_1 is bit 32
	test eax, 1
	setz al
	add r13b, al
	mov ebx, MSIX_BAR
	mov eax, [rbx + 12]         ; entry 0 vector control: masked at reset
	cmp eax, 1
	setne al
	add r13b, al
	mov ebx, UNASSIGNED
	mov eax, [rbx]
	cmp eax, 0xffffffff
	setne al
	add r13b, al
	mov ebx, MSIX_BAR           ; entry 0: LAPIC of CPU 0, vector V_MSI
	mov dword [rbx + 0], 0xfee00000
	mov dword [rbx + 4], 0
	mov dword [rbx + 8], V_MSI
	cmp dword [rbx + 0], 0xfee00000
	setne al
	add r13b, al
	cmp dword [rbx + 8], V_MSI
	setne al
	add r13b, al
	test r13b, r13b
	check 'M'

	; ---- P: PIT -> PIC -> LVT0 ExtINT ----
	mov al, 0x11                ; ICW1: edge, cascade, ICW4
	out 0x20, al
	out 0xa0, al
	mov al, V_PIC
	out 0x21, al
	mov al, V_PIC + 8
	out 0xa1, al
	mov al, 4
	out 0x21, al
	mov al, 2
	out 0xa1, al
	mov al, 1
	out 0x21, al
	out 0xa1, al
	mov al, 0xfe                ; only IRQ0
	out 0x21, al
	mov al, 0xff
	out 0xa1, al
	mov al, 0x34                ; channel 0, lo/hi, mode 2
	out 0x43, al
	mov al, 0x9c                ; 11932: 100 Hz
	out 0x40, al
	mov al, 0x2e
	out 0x40, al
	lea rbx, [rel cnt_pic]
	call wait_two
	mov al, 0xff
	out 0x21, al
	check 'P'

	; ---- A: PIT -> IOAPIC pin 2 (GSI 0 routed to it), never pin 0 ----
	mov ebx, LAPIC
	mov dword [rbx + 0xf0], 0x1ff ; software-enable the LAPIC, spurious 0xff
	mov ebx, IOAPIC
	mov dword [rbx], 0x10 + 2 * 2 + 1
	mov dword [rbx + 0x10], 0   ; destination APIC 0
	mov dword [rbx], 0x10 + 2 * 2
	mov dword [rbx + 0x10], V_PIT ; fixed, physical, edge, high, unmasked
	mov dword [rbx], 0x11
	mov dword [rbx + 0x10], 0
	mov dword [rbx], 0x10
	mov dword [rbx + 0x10], V_WRONG
	lea rbx, [rel cnt_ioapic]
	call wait_two
	pushf
	mov ebx, IOAPIC
	mov dword [rbx], 0x10 + 2 * 2
	mov dword [rbx + 0x10], 0x10000 | V_PIT ; masked
	mov dword [rbx], 0x10
	mov dword [rbx + 0x10], 0x10000 | V_WRONG
	popf
	jnz .afail
	cmp dword [rel cnt_wrong], 0
.afail:	check 'A'

	; ---- T: LAPIC timer, one-shot ----
	mov ebx, LAPIC
	mov dword [rbx + 0x3e0], 0xb ; divide by 1
	mov dword [rbx + 0x320], V_LT
	mov dword [rbx + 0x380], 0x100000
	lea rbx, [rel cnt_lt]
	call wait_one
	check 'T'

	; ---- L: virtio-rng INTx (MSI-X off) -> GSI 17 -> IOAPIC pin 17, level ----
	mov ebx, IOAPIC
	mov dword [rbx], 0x10 + GSI_INTA * 2 + 1
	mov dword [rbx + 0x10], 0
	mov dword [rbx], 0x10 + GSI_INTA * 2
	mov dword [rbx + 0x10], V_INTX | 0xa000 ; level, active low, unmasked
	xor r14d, r14d              ; no MSI-X vector
	call rng_request
	jnz .lfail
	lea rbx, [rel cnt_intx]
	call wait_one
	jnz .lfail
	call rng_check
.lfail:	pushf
	mov ebx, IOAPIC
	mov dword [rbx], 0x10 + GSI_INTA * 2
	mov dword [rbx + 0x10], 0x1a000 | V_INTX ; masked
	popf
	check 'L'

	; ---- X: virtio-rng request, MSI-X completion ----
	call msix_enable
	jnz .xfail
	mov ebx, MSIX_BAR
	mov dword [rbx + 12], 0     ; unmask entry 0
	mov r14d, 1                 ; queue 0 on MSI-X vector 0
	call rng_request
	jnz .xfail
	lea rbx, [rel cnt_msi]
	call wait_one
	jnz .xfail
	call rng_check
.xfail:	check 'X'

%ifdef CHECK_AP
	; ---- C (run with --cpus 2): INIT + SIPI start the AP in real mode ----
	call ap_check
	check 'C'
	call ident_check
	check 'I'
%endif
%ifdef CHECK_HIGH
	; ---- H (run with --memory 5G): RAM slots around the PCI hole ----
	call high_check
	check 'H'
%endif

	mov al, 10
	call putc
%ifdef FINAL_S5
	mov dx, 0x604               ; PM1a_CNT: SLP_TYP 0 (S5), SLP_EN
	mov ax, 0x2000
	out dx, ax
%elifdef FINAL_CF9
	call mark_boot
	mov dx, 0xcf9
	mov al, 6                   ; hard reset
	out dx, al
%elifdef FINAL_KBD
	call mark_boot
	mov al, 0xfe                ; pulse the reset line
	out 0x64, al
%elifdef FINAL_TRIPLE
	call mark_boot
	lidt [rel idtr_empty]
	ud2
%else
%ifdef FINAL_CMPXCHG16B
	xor eax, eax
	xor edx, edx
	xor ebx, ebx
	xor ecx, ecx
	lea rdi, [rel sbuf]
	lock cmpxchg16b [rdi]
%elifdef FINAL_INT3
	int3
%endif
	mov dx, 0xf4
	mov eax, r12d
	out dx, al
%endif
	cli
.hang:	hlt
	jmp .hang

rebooted:
	lea rsi, [rel reboot_msg]
	mov ecx, reboot_msg_len
	mov dx, 0x3f8
	rep outsb
	mov al, CMOS_MARK
	out 0x70, al
	xor al, al
	out 0x71, al
	mov dx, 0xf4
	mov al, 0x22
	out dx, al
	cli
	hlt

mark_boot:
	mov al, CMOS_MARK
	out 0x70, al
	mov al, 0xa5
	out 0x71, al
	ret

; ZF set: pass (letter in al), else lower case.
result:
	jnz .fail
	inc r12d
	jmp putc
.fail:	or al, 0x20
putc:
	push rdx
	mov dx, 0x3f8
	out dx, al
	pop rdx
	ret

; Halts until dword [rbx] reaches 2 (1 for wait_one); ZF set then. The
; test runs with interrupts off and sti's one-instruction shadow covers the
; hlt, so an interrupt cannot slip in between the test and the hlt.
wait_two:
	mov ecx, 2
	jmp wait_n
wait_one:
	mov ecx, 1
wait_n:
.w:	cli
	cmp [rbx], ecx
	jae .done
	cmp dword [rel cnt_wrong], 3 ; misrouted: give up rather than hang
	jae .bad
	sti
	hlt
	jmp .w
.done:	xor eax, eax                ; ZF
	ret
.bad:	or eax, 1
	ret

; MSI-X capability: walk the list from 0x34, set Enable. ZF set if found.
msix_enable:
	pcicfg_addr 0x34
	in eax, dx
	movzx esi, al
.next:	and esi, 0xfc
	jz .none
	mov dx, 0xcf8
	mov eax, 0x80000000 | (1 << 11)
	or eax, esi
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	cmp al, 0x11
	je .found
	movzx esi, ah
	jmp .next
.found:	or eax, 0x80000000          ; message control bit 15: Enable
	out dx, eax
	xor eax, eax
	ret
.none:	or eax, 1                   ; ZF clear
	ret

; Legacy virtio: reset, ACK|DRIVER, no features, queue 0 (on MSI-X vector
; 0 when r14d is set), one device-writable 64-byte buffer, DRIVER_OK,
; notify. ZF set if the device took the vector.
rng_request:
	mov rdi, RING               ; room for rings of up to 1024 entries
	mov rcx, 16 * 4096 / 8
	xor eax, eax
	rep stosq
	mov rdi, BUF
	mov rcx, 64 / 8
	rep stosq
	mov dx, IOB + 18
	xor al, al
	out dx, al
	mov al, 3
	out dx, al
	mov dx, IOB + 4
	xor eax, eax
	out dx, eax
	mov dx, IOB + 14            ; queue select 0
	xor ax, ax
	out dx, ax
	test r14d, r14d
	jz .novec
	mov dx, IOB + 22            ; queue MSI-X vector (legacy header with MSI-X)
	xor ax, ax
	out dx, ax
	in ax, dx
	test ax, ax
	jnz .out
.novec:	mov dx, IOB + 12            ; queue size -> used ring offset
	in ax, dx
	movzx eax, ax
	mov [rel qsize], eax
	mov dx, IOB + 8
	mov eax, RING >> 12
	out dx, eax
	mov dx, IOB + 18
	mov al, 7
	out dx, al
	mov rdi, RING               ; desc 0: BUF, 64 bytes, device-writable
	mov qword [rdi], BUF
	mov dword [rdi + 8], 64
	mov word [rdi + 12], 2
	mov word [rdi + 14], 0
	mov eax, [rel qsize]
	shl eax, 4
	add rax, RING               ; avail ring follows the descriptors
	mov [rel avail], rax
	mov word [rax + 4], 0
	mov word [rax + 2], 1
	mov dx, IOB + 16
	xor ax, ax
	out dx, ax
	xor eax, eax
.out:	ret

; The used ring says one 64-byte completion and the buffer is not all zero.
rng_check:
	mov eax, [rel qsize]
	lea eax, [eax * 2 + 6]
	mov ecx, [rel qsize]
	shl ecx, 4
	add eax, ecx
	add eax, 4095
	and eax, ~4095
	add rax, RING               ; used ring
	cmp word [rax + 2], 1
	jne .out
	cmp dword [rax + 8], 64
	jne .out
	mov rdi, BUF
	xor edx, edx
	mov ecx, 8
.or:	or rdx, [rdi]
	add rdi, 8
	loop .or
	test rdx, rdx
	jz .zero
	xor eax, eax
	ret
.zero:	or eax, 1
.out:	ret

%ifdef CHECK_AP
; Real-mode AP code for SIPI vector 0x10 (CS = 0x1000, IP = 0).
ap_code:
	db 0x66, 0xb8, 0x01, 0x00, 0x00, 0x00 ; mov eax, 1
	db 0x0f, 0xa2                         ; cpuid
	db 0x66, 0xc1, 0xeb, 0x18             ; shr ebx, 24: initial APIC id
	db 0x2e, 0x88, 0x1e, 0x01, 0x01       ; mov cs:[0x101], bl
	db 0x66, 0xb9, 0x1b, 0x00, 0x00, 0x00 ; mov ecx, 0x1b (APIC base)
	db 0x0f, 0x32                         ; rdmsr
	db 0x2e, 0x88, 0x26, 0x02, 0x01       ; mov cs:[0x102], ah: BSP bit 8, enable bit 11
	db 0x2e, 0xc6, 0x06, 0x00, 0x01, 0x01 ; mov byte cs:[0x100], 1
	db 0xb0, 'Y'                          ; mov al, 'Y'
	db 0xba, 0xf8, 0x03                   ; mov dx, 0x3f8
	db 0xee                               ; out dx, al
	db 0xfa, 0xf4, 0xeb, 0xfd             ; cli; hlt; jmp $-1
ap_code_len equ $ - ap_code
AP_BASE equ 0x10000

; ZF set when the BSP's CPUID/APIC base and the AP's report are right.
ident_check:
	mov eax, 1
	cpuid
	mov r8d, ebx
	shr r8d, 16
	cmp r8w, 0x0002             ; EBX[31:24] APIC id 0, EBX[23:16] 2 processors
	jne .out
	bt ecx, 31                  ; hypervisor
	jnc .bad
	bt ecx, 5                   ; VMX hidden
	jc .bad
	mov eax, 0xb
	mov ecx, 1                  ; level 1: cores
	cpuid
	mov r8d, ecx
	shr r8d, 8
	cmp r8b, 2                  ; level type: core
	jne .out
	cmp bx, 2                   ; 2 logical processors
	jne .out
	test edx, edx               ; x2APIC id of the BSP
	jnz .out
	mov ecx, 0x1b
	rdmsr
	and eax, 0xfffff900
	cmp eax, 0xfee00900         ; base, enabled, BSP
	jne .out
	cmp byte [AP_BASE + 0x101], 1 ; the AP's APIC id
	jne .out
	mov al, [AP_BASE + 0x102]
	and al, 9
	cmp al, 8                   ; AP: enabled, not BSP
.out:	ret
.bad:	or eax, 1
	ret

ap_check:
	lea rsi, [rel ap_code]
	mov edi, AP_BASE
	mov ecx, ap_code_len
	rep movsb
	mov byte [AP_BASE + 0x100], 0
	mov ebx, LAPIC
	mov dword [rbx + 0x310], 1 << 24   ; destination: APIC 1
	mov dword [rbx + 0x300], 0x4500    ; INIT, level assert
	mov dword [rbx + 0x310], 1 << 24
	mov dword [rbx + 0x300], 0x4600 | (AP_BASE >> 12) ; Startup
.wait:	cmp byte [AP_BASE + 0x100], 1
	je .done
	pause
	jmp .wait
.done:	xor eax, eax
	ret

%endif
%ifdef CHECK_HIGH
; With 5 GiB: RAM is [0, 3 GiB) and [4 GiB, 6 GiB). Writes stick to the
; last page below the hole and at 4 GiB (mapped here through a new 2 MiB
; page in PDPT entry 4), and are dropped in the hole, which reads all ones.
; ZF set on success.
high_check:
	mov rax, 0x100000000 | 0x83 ; 2 MiB page at 4 GiB: present, writable, PS
	mov [rel pd_high], rax
	lea rax, [rel pd_high]
	or rax, 3
	mov rbx, cr3
	and rbx, ~0xfff
	mov rbx, [rbx]              ; PML4[0]: the PDPT
	and rbx, ~0xfff
	mov [rbx + 4 * 8], rax
	mov rbx, cr3
	mov cr3, rbx
	mov rax, 0x1122334455667788
	mov rsi, 0x100000000
	mov [rsi], rax
	cmp [rsi], rax
	jne .out
	mov esi, 0xbffff000
	mov [rsi], rax
	cmp [rsi], rax
	jne .out
	mov esi, 0xc0100000         ; in the hole, no BAR there
	mov [rsi], rax
	cmp dword [rsi], 0xffffffff
.out:	ret

%endif
idt_setup:
	mov ecx, 0
	lea rax, [rel h_exception]
.ex:	call set_gate
	inc ecx
	cmp ecx, 32
	jb .ex
	mov ecx, V_PIC
	lea rax, [rel h_pic]
	call set_gate
	mov ecx, V_PIT
	lea rax, [rel h_ioapic]
	call set_gate
	mov ecx, V_WRONG
	lea rax, [rel h_wrong]
	call set_gate
	mov ecx, V_LT
	lea rax, [rel h_lt]
	call set_gate
	mov ecx, V_MSI
	lea rax, [rel h_msi]
	call set_gate
	mov ecx, V_INTX
	lea rax, [rel h_intx]
	call set_gate
	mov ecx, 0xff
	lea rax, [rel h_spurious]
	call set_gate
	lea rax, [rel idt]
	mov [rel idtr + 2], rax
	lidt [rel idtr]
	ret

; Gate ecx -> handler rax (64-bit interrupt gate, current CS).
set_gate:
	push rax
	push rdi
	mov edi, ecx
	shl edi, 4
	lea rdi, [rdi + idt]
	mov [rdi], ax
	mov word [rdi + 2], cs
	mov word [rdi + 4], 0x8e00
	shr rax, 16
	mov [rdi + 6], ax
	shr rax, 16
	mov [rdi + 8], eax
	mov dword [rdi + 12], 0
	pop rdi
	pop rax
	ret

h_exception:
	mov dx, 0x3f8
	mov al, 'E'
	out dx, al
	mov dx, 0xf4
	mov al, 0x7e
	out dx, al
	cli
	hlt

lapic_eoi:
	push rax
	mov eax, LAPIC
	mov dword [rax + 0xb0], 0
	pop rax
	ret

h_pic:
	inc dword [rel cnt_pic]
	push rax
	mov al, 0x20
	out 0x20, al
	pop rax
	iretq
h_ioapic:
	inc dword [rel cnt_ioapic]
	call lapic_eoi
	iretq
h_wrong:
	inc dword [rel cnt_wrong]
	call lapic_eoi
	iretq
h_lt:
	inc dword [rel cnt_lt]
	call lapic_eoi
	iretq
h_msi:
	inc dword [rel cnt_msi]
	call lapic_eoi
	iretq
h_intx:
	push rax
	push rdx
	mov dx, IOB + 19            ; reading the ISR lowers INTx
	in al, dx
	test al, 1
	jz .no
	inc dword [rel cnt_intx]
.no:	call lapic_eoi
	pop rdx
	pop rax
	iretq
h_spurious:
	iretq

section .data
banner:	db "kvm-devices: "
banner_len equ $ - banner
reboot_msg: db "rebooted", 10
reboot_msg_len equ $ - reboot_msg
align 8
idtr:	dw 256 * 16 - 1
	dq 0
idtr_empty:
	dw 0
	dq 0
cnt_pic:    dd 0
cnt_ioapic: dd 0
cnt_wrong:  dd 0
cnt_lt:     dd 0
cnt_msi:    dd 0
cnt_intx:   dd 0
qsize:      dd 0
avail:      dq 0

section .bss
alignb 4096
pd_high: resb 4096
idt:	resb 256 * 16
sbuf:	resd 4
	resb 8192
stack_top:
