; Hostile virtio driver (ELF64, entered in long mode with identity paging):
; drives the virtio-blk at PCI slot 1 through the legacy I/O BAR and hands
; it looping, out-of-range, wrong-direction and wild descriptors, a jumping
; avail index, an out-of-range head and a request without a status byte.
; After each it expects the device to have set NEEDS_RESET (status bit
; 0x40), then resets it. Finally a valid read of sector 0 must still work.
; Prints one letter per case on COM1 (P pass, F fail) and exits through
; isa-debug-exit with the number of passes: 9 passes -> tandem status 19.
bits 64
section .text
global _start

IOB     equ 0xc000          ; BAR0 (legacy registers)
RING    equ 0x300000        ; desc 0x300000, avail 0x301000, used 0x302000 (256 entries)
AVAIL   equ RING + 0x1000
USED    equ RING + 0x2000
BUF     equ 0x310000

%macro pcicfg_w32 2        ; offset, value (slot 1, function 0)
	mov dx, 0xcf8
	mov eax, 0x80000000 | (1 << 11) | %1
	out dx, eax
	mov dx, 0xcfc
	mov eax, %2
	out dx, eax
%endmacro

; desc index, addr, len, flags, next
%macro desc 5
	mov rdi, RING + 16 * %1
	mov rax, %2
	mov [rdi], rax
	mov dword [rdi + 8], %3
	mov word [rdi + 12], %4
	mov word [rdi + 14], %5
%endmacro

_start:
	xor r12d, r12d              ; passes
	; Is slot 1 a virtio-blk (1af4:1001)?
	mov dx, 0xcf8
	mov eax, 0x80000000 | (1 << 11)
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	cmp eax, 0x10011af4
	jne finish
	pcicfg_w32 0x10, IOB | 1
	pcicfg_w32 0x04, 1          ; COMMAND.IO

	; 1: a loop 0 -> 1 -> 0
	call start_dev
	desc 0, BUF, 16, 1, 1
	desc 1, BUF + 16, 16, 1, 0
	mov ax, 0
	call kick
	call expect_broken
	; 2: next index beyond the queue
	call start_dev
	desc 0, BUF, 16, 1, 300
	mov ax, 0
	call kick
	call expect_broken
	; 3: device-readable after device-writable
	call start_dev
	desc 0, BUF, 16, 3, 1
	desc 1, BUF + 16, 16, 0, 0
	mov ax, 0
	call kick
	call expect_broken
	; 4: a buffer far outside RAM
	call start_dev
	desc 0, 0xffffffff0000, 512, 0, 0
	mov ax, 0
	call kick
	call expect_broken
	; 5: a buffer in the PCI hole
	call start_dev
	desc 0, 0xc0000000, 16, 0, 0
	mov ax, 0
	call kick
	call expect_broken
	; 6: avail index jumps by more than the queue size
	call start_dev
	desc 0, BUF, 16, 0, 0
	mov word [AVAIL + 2], 1000
	call notify
	call expect_broken
	; 7: a head beyond the queue
	call start_dev
	mov ax, 999
	call kick
	call expect_broken
	; 8: a request with no status byte (all device-readable)
	call start_dev
	desc 0, BUF, 16, 0, 0
	mov ax, 0
	call kick
	call expect_broken
	; 9: after a reset, a valid read of sector 0 completes with status 0
	call start_dev
	mov dword [BUF], 0          ; VIRTIO_BLK_T_IN
	mov dword [BUF + 4], 0
	mov qword [BUF + 8], 0      ; sector 0
	mov byte [BUF + 0x1000], 0xee
	desc 0, BUF, 16, 1, 1
	desc 1, BUF + 0x800, 512, 3, 2
	desc 2, BUF + 0x1000, 1, 2, 0
	mov ax, 0
	call kick
	mov dx, IOB + 18
	in al, dx
	test al, 0x40
	jnz .fail9
	cmp word [USED + 2], 1
	jne .fail9
	cmp byte [BUF + 0x1000], 0
	jne .fail9
	call pass
	jmp finish
.fail9:	call fail

finish:
	mov al, 10
	call putc
	mov dx, 0xf4
	mov eax, r12d
	out dx, al
.hang:	hlt
	jmp .hang

; Reset, ACK|DRIVER, no features, ring at RING, DRIVER_OK; ring zeroed.
start_dev:
	mov dx, IOB + 18
	xor al, al
	out dx, al
	mov rdi, RING
	mov rcx, 3 * 4096 / 8
	xor eax, eax
	rep stosq
	mov dx, IOB + 18
	mov al, 3
	out dx, al
	mov dx, IOB + 4
	xor eax, eax
	out dx, eax
	mov dx, IOB + 14
	xor ax, ax
	out dx, ax
	mov dx, IOB + 8
	mov eax, RING >> 12
	out dx, eax
	mov dx, IOB + 18
	mov al, 7
	out dx, al
	ret

; Publishes head ax as avail entry 0, avail idx 1, and notifies queue 0.
kick:
	mov [AVAIL + 4], ax
	mov word [AVAIL + 2], 1
notify:
	mov dx, IOB + 16
	xor ax, ax
	out dx, ax
	ret

expect_broken:
	mov dx, IOB + 18
	in al, dx
	test al, 0x40
	jz fail
pass:
	inc r12d
	mov al, 'P'
	jmp putc
fail:
	mov al, 'F'
putc:
	push rdx
	mov dx, 0x3f8
	out dx, al
	pop rdx
	ret
