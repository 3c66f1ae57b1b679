; Limits in long mode (not a common.inc guest: started by test-emu-segments
; from the harness's flat 64-bit state at 0x200000): compatibility mode
; checks data limits (#GP(0), #SS(0)) like protected mode, 64-bit mode
; checks none. A 64-bit IDT sends #GP/#SS to a recorder that stores
; {vector, error, rip} at REC + 16 * test and resumes at [RESUME].
bits 64
org 0x200000
REC    equ 0x300000
RESUME equ 0x300ff0
IDTB   equ 0x301000
NOF    equ 0xffff

  lgdt [rel gdtr]
  ; IDT: vectors 12 and 13 -> their recorders
  mov edi, 12
  lea rsi, [rel rec12]
  call setgate
  mov edi, 13
  lea rsi, [rel rec13]
  call setgate
  lidt [rel idtr]
  mov rsp, 0x2f0000
  mov r15, 1                      ; test number

  ; 1: compatibility mode, [0xffc] inside a 0xfff limit: no fault
  lea rax, [rel r1]
  mov [RESUME], rax
  mov qword [REC + 16], NOF
  push 0x18
  lea rax, [rel c1]
  push rax
  o64 retf
bits 32
c1:
  mov ax, 0x28
  mov ds, ax
  mov eax, [0xffc]
  jmp 0x08:r1
bits 64
r1:
  ; 2: compatibility mode, [0x1000]: #GP(0)
  mov r15, 2
  lea rax, [rel r2]
  mov [RESUME], rax
  mov qword [REC + 32], NOF
  push 0x18
  lea rax, [rel c2]
  push rax
  o64 retf
bits 32
c2:
  mov ax, 0x28
  mov ds, ax
c2_fault:
  mov eax, [0x1000]
  jmp 0x08:r2
bits 64
r2:
  ; 3: compatibility mode, stack segment limit: #SS(0)
  mov r15, 3
  lea rax, [rel r3]
  mov [RESUME], rax
  mov qword [REC + 48], NOF
  push 0x18
  lea rax, [rel c3]
  push rax
  o64 retf
bits 32
c3:
  mov ax, 0x30
  mov ss, ax
  mov ebp, 0x10000
c3_fault:
  mov eax, [ebp]
  jmp 0x08:r3
bits 64
r3:
  mov ax, 0x10
  mov ss, ax
  mov rsp, 0x2f0000
  ; 4: 64-bit mode ignores the limits of DS and FS
  mov r15, 4
  lea rax, [rel r4]
  mov [RESUME], rax
  mov qword [REC + 64], NOF
  mov ax, 0x28
  mov ds, ax
  mov fs, ax
  mov eax, [0x5000]
  mov eax, [fs:0x5000]
r4:
  mov ax, 0x10
  mov ds, ax
  mov qword [REC], 0x454e4f44      ; done
spin:
  jmp spin

; setgate(edi vector, rsi handler): 64-bit interrupt gate to 0x08:handler
setgate:
  shl edi, 4
  mov eax, esi
  and eax, 0xffff
  or eax, 0x08 << 16
  mov [IDTB + rdi], eax
  mov eax, esi
  and eax, 0xffff0000
  or eax, 0x8e00
  mov [IDTB + rdi + 4], eax
  mov rax, rsi
  shr rax, 32
  mov [IDTB + rdi + 8], rax
  ret

rec12:
  mov ecx, 12
  jmp rec
rec13:
  mov ecx, 13
rec:
  mov rax, r15
  shl rax, 4
  mov [REC + rax], ecx              ; vector
  pop rcx
  mov [REC + rax + 8], rcx          ; error code
  mov rcx, [rsp]
  mov [REC + rax + 4], ecx          ; rip (low 32 bits)
  mov ax, 0x10
  mov ss, ax
  mov ds, ax
  mov rsp, 0x2f0000
  jmp [RESUME]

align 8
gdt:
  dq 0
  dq 0x00af9b000000ffff      ; 0x08 code64
  dq 0x00cf93000000ffff      ; 0x10 data
  dq 0x00cf9b000000ffff      ; 0x18 code32
  dq 0
  dq 0x0040930000000fff      ; 0x28 data, limit 0xfff
  dq 0x004093000000ffff      ; 0x30 data (stack), limit 0xffff
gdt_end:
gdtr:
  dw gdt_end - gdt - 1
  dq gdt
idtr:
  dw 256 * 16 - 1
  dq IDTB
