; real mode -> INT via the IVT -> 32-bit protected mode -> paging + long
; mode -> compatibility mode (far return) -> 64-bit mode (far jump)
bits 16
org 0x7c00
  cli
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7000
  mov word [0x80*4], int80
  mov word [0x80*4+2], 0
  mov bx, 1
  int 0x80
  lgdt [gdtr]
  mov eax, cr0
  or eax, 1
  mov cr0, eax
  jmp dword 0x18:pm32
int80:
  mov bx, 0x55
  iret
bits 32
pm32:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov esp, 0x7000
  ; identity map of the first GiB: PML4 0x10000, PDPT 0x11000, PD 0x12000 (2 MiB pages)
  mov edi, 0x10000
  xor eax, eax
  mov ecx, 3*1024
  rep stosd
  mov dword [0x10000], 0x11003
  mov dword [0x11000], 0x12003
  mov edi, 0x12000
  mov eax, 0x83
  mov ecx, 512
fill:
  mov [edi], eax
  add eax, 0x200000
  add edi, 8
  loop fill
  mov eax, cr4
  or eax, 0x20
  mov cr4, eax
  mov eax, 0x10000
  mov cr3, eax
  mov ecx, 0xc0000080
  rdmsr
  or eax, 0x100
  wrmsr
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  jmp 0x08:lm64
bits 64
lm64:
  mov rax, 0x123456789
  push 0x18
  lea rcx, [rel compat]
  push rcx
  o64 retf
bits 32
compat:
  mov edx, 0xc0de
  jmp 0x08:back64
bits 64
back64:
  mov rsi, 0x1122334455
  hlt
align 8
gdt:
  dq 0
  dq 0x00af9b000000ffff
  dq 0x00cf93000000ffff
  dq 0x00cf9b000000ffff
gdtr:
  dw 31
  dd gdt
