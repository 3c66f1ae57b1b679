; Freestanding multiboot v1 test guest (32-bit protected mode entry):
; checks the loader's magic in EAX, prints a line on COM1 and exits through
; isa-debug-exit with 0x11 (tandem exit status 35), or 0x12 (37) when the
; magic is wrong.
bits 32
section .text
align 4
	dd 0x1BADB002
	dd 0x00000003             ; page-align modules, want memory info
	dd -(0x1BADB002 + 3)
global _start
_start:
	cmp eax, 0x2BADB002
	jne .bad
	mov dx, 0x3f8
	mov esi, msg
.next:	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .next
.done:	mov al, 0x11
	jmp .exit
.bad:	mov al, 0x12
.exit:	mov dx, 0xf4
	out dx, al
.hang:	hlt
	jmp .hang
section .rodata
msg:	db "hello from a multiboot guest", 10, 0
