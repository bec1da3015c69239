#!/usr/bin/env python3
"""gen_wdk_layout.py - regenerate wdk_x64_layout.h, the table of the WDK's x64
structure layouts that the emulator's headers must reproduce.

Where it runs: a machine with the real-WDK toolchain of
/work/shared/tools/wdk-check (clang-cl-19 and the WDK 10.0.26100 headers under
~/.cache/wdk-check/sdk, or $WDK_CHECK_SDK) and clang-19. The headers are read
at run time from that path; nothing of them is copied: the table holds only
numbers (sizes, alignments, offsets) and the names the emulator already uses.

How: clang dumps the complete record layouts twice,
  1. the WDK's, compiled the way check-driver.sh compiles the driver (x64,
     /kernel, /Zp8) from <fltKernel.h>;
  2. the emulator's, compiled for Linux x86-64 with -fshort-wchar from the
     emulator's <fltKernel.h> (which includes emu_wdm.h and emu_ntdef.h).
Every struct or union whose tag both define crosses the boundary between
driver code and the emulator; for each one the table records the WDK's size
and alignment, and the WDK's offset of every field path (a.b.c, anonymous
members left out as C spells them) that both define. So do the sizes of the
scalar typedefs listed below, and the values of the upper-case object-like
macros and the enumerators both define that are integer constants on both
sides (status codes, IRP_MJ_*, FLTFL_*, information classes, ...): the binary
has the WDK's values compiled in. A field the emulator has
and the WDK has not (emulator-private contents of an object the driver only
passes to kernel routines) is listed in a comment, not asserted: its type's
size still is.

usage: gen_wdk_layout.py [-o OUTPUT]   (default: wdk_x64_layout.h next to this script)
       gen_wdk_layout.py --check       (exit 1 if the committed table is stale)
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EMU_INCLUDE = os.path.normpath(os.path.join(HERE, '..', 'include'))
SDK = os.environ.get('WDK_CHECK_SDK') or os.path.join(
    os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'wdk-check', 'sdk')
WDK_INC = os.path.join(SDK, 'wdk', 'Include')
CLANG_CL = os.environ.get('CC_CL', 'clang-cl-19')
CLANG = os.environ.get('CLANG', 'clang-19')

# Scalar and enum typedefs the emulator declares and driver code stores in its
# own structures or passes by value: their size and alignment are checked
# through a one-member probe structure (clang dumps records, not typedefs).
TYPEDEFS = '''BOOLEAN CHAR UCHAR SHORT CSHORT USHORT WCHAR LONG ULONG LONG64 ULONG64 LONGLONG ULONGLONG
LONG_PTR ULONG_PTR SIZE_T HANDLE PVOID NTSTATUS KIRQL KPROCESSOR_MODE KPRIORITY KAFFINITY ACCESS_MASK
DEVICE_TYPE LOGICAL KSPIN_LOCK EX_SPIN_LOCK EX_PUSH_LOCK POOL_TYPE POOL_FLAGS EVENT_TYPE MODE
KWAIT_REASON WORK_QUEUE_TYPE SECURITY_INFORMATION FILE_INFORMATION_CLASS FS_INFORMATION_CLASS
FLT_CALLBACK_DATA_FLAGS FLT_PREOP_CALLBACK_STATUS FLT_POSTOP_CALLBACK_STATUS FLT_POST_OPERATION_FLAGS
FLT_FILTER_UNLOAD_FLAGS FLT_INSTANCE_SETUP_FLAGS FLT_INSTANCE_QUERY_TEARDOWN_FLAGS
FLT_INSTANCE_TEARDOWN_FLAGS FLT_FILESYSTEM_TYPE FLT_CONTEXT_TYPE FLT_CONTEXT_REGISTRATION_FLAGS
FLT_SET_CONTEXT_OPERATION FLT_OPERATION_REGISTRATION_FLAGS FLT_REGISTRATION_FLAGS
FLT_FILE_NAME_OPTIONS FLT_FILE_NAME_PARSED_FLAGS FLT_IO_OPERATION_FLAGS INSTANCE_INFORMATION_CLASS
CREATE_FILE_TYPE'''.split()
PROBE = '#include <fltKernel.h>\n' + ''.join(
    'struct jmf_typedef_%s { %s Value; };\n' % (t, t) for t in TYPEDEFS)

LINE = re.compile(r'^\s*(\d+)(?::\d+-\d+)?\s\|(\s*)(.*?)\s*$')
SIZE = re.compile(r'^\s*\|\s*\[sizeof=(\d+),\s*(?:dsize=\d+,\s*)?align=(\d+)')


def dump(cmd, source):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'probe.c')
        with open(path, 'w') as f:
            f.write(source)
        result = subprocess.run(cmd + [path], capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(result.stderr)
            sys.exit('gen_wdk_layout: compiling the probe failed: ' + ' '.join(cmd))
        return result.stdout


def parse(text):
    """{tag: (kind, size, align, {path: offset}, [paths in order])} for every
    top-level record in a -fdump-record-layouts-complete dump."""
    records = {}
    for block in text.split('*** Dumping AST Record Layout')[1:]:
        lines = block.strip('\n').split('\n')
        head = LINE.match(lines[0])
        if not head:
            continue
        m = re.match(r'(struct|union) (\w+)$', head.group(3))
        if not m:
            continue            # an anonymous record dumped on its own
        kind, tag = m.groups()
        fields, order, stack = {}, [], []   # stack: (indent, name or None)
        size = align = None
        skip_below = None   # inside a member of a named record type: its own entry covers it
        for line in lines[1:]:
            s = SIZE.match(line)
            if s:
                size, align = int(s.group(1)), int(s.group(2))
                break
            f = LINE.match(line)
            if not f:
                continue
            offset, indent, decl = int(f.group(1)), len(f.group(2)), f.group(3)
            if skip_below is not None:
                if indent > skip_below:
                    continue
                skip_below = None
            bitfield = re.match(r'^\s*\d+:\d+-\d+', line) is not None
            while stack and stack[-1][0] >= indent:
                stack.pop()
            anonymous = decl.endswith(')') and '(anonymous' in decl
            name = None if anonymous else decl.split()[-1].lstrip('*&')
            stack.append((indent, name))
            if name is not None and re.match(r'^(const |volatile )*(struct|union) \w+ ', decl):
                skip_below = indent
            if name is None or bitfield:
                continue
            path = '.'.join(n for _, n in stack if n is not None)
            if path not in fields:
                fields[path] = offset
                order.append(path)
        if size is not None and tag not in records:
            records[tag] = (kind, size, align, fields, order)
    return records


def wdk_records():
    cmd = [CLANG_CL, '--target=x86_64-pc-windows-msvc', '-fms-compatibility-version=19.39', '/nologo', '/Zs',
           '/kernel', '/Zp8', '/D_KERNEL_MODE', '/D_WIN64', '/D_AMD64_', '/DAMD64', '/DWINNT=1',
           '/D_WIN32_WINNT=0x0A00', '/DWINVER=0x0A00',
           '/imsvc', os.path.join(WDK_INC, 'km', 'crt'), '/imsvc', os.path.join(WDK_INC, 'km'),
           '/imsvc', os.path.join(WDK_INC, 'shared'), '/imsvc', os.path.join(SDK, 'casefix-km'),
           '/clang:-Xclang', '/clang:-fdump-record-layouts-complete', '--']
    return parse(dump(cmd, PROBE))


def emu_records():
    cmd = [CLANG, '--target=x86_64-linux-gnu', '-std=gnu11', '-fshort-wchar', '-fsyntax-only', '-w',
           '-I', EMU_INCLUDE, '-Xclang', '-fdump-record-layouts-complete']
    return parse(dump(cmd, PROBE))


# ---- constants: the values of the macros and enumerators both define ----
def emu_constant_names():
    """Object-like upper-case macros and enumerators the emulator's headers define."""
    base = [CLANG, '--target=x86_64-linux-gnu', '-std=gnu11', '-fshort-wchar', '-w', '-I', EMU_INCLUDE]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'names.c')
        with open(path, 'w') as f:
            f.write('#include <fltKernel.h>\n')
        macros = subprocess.run(base + ['-dM', '-E', path], capture_output=True, text=True, check=True).stdout
        ast = subprocess.run(base + ['-fsyntax-only', '-Xclang', '-ast-dump', path], capture_output=True, text=True).stdout
    names = set(re.findall(r'^#define ([A-Z][A-Z0-9_]+) \S', macros, re.M))
    names |= set(re.findall(r'EnumConstantDecl 0x[0-9a-f]+ <[^>]*> (?:col|line):[0-9:]+(?: referenced)? ([A-Za-z_][A-Za-z0-9_]*) ', ast))
    # NTDDI_VERSION is a build choice (the version targeted), not a fact of the interface.
    return sorted(n for n in names if not n.startswith(('EMU_', 'JMF_', 'Emu')) and n not in ('NTDDI_VERSION',))


def coff_symbol_bytes(path, symbol, length):
    """The bytes a COFF object defines at symbol (its section's raw data, from the symbol's offset)."""
    import struct
    blob = open(path, 'rb').read()
    nsec, symtab, nsym = struct.unpack_from('<H', blob, 2)[0], *struct.unpack_from('<II', blob, 8)
    opt = struct.unpack_from('<H', blob, 16)[0]
    strings = symtab + 18 * nsym
    i = 0
    while i < nsym:
        raw = blob[symtab + 18 * i:symtab + 18 * i + 18]
        name = raw[:8]
        if name[:4] == b'\0\0\0\0':
            off = struct.unpack_from('<I', name, 4)[0]
            name = blob[strings + off:blob.index(b'\0', strings + off)]
        else:
            name = name.rstrip(b'\0')
        value, section = struct.unpack_from('<Ih', raw, 8)
        if name.decode('latin1') == symbol and section > 0:
            hdr = 20 + opt + 40 * (section - 1)
            pointer = struct.unpack_from('<I', blob, hdr + 20)[0]
            return blob[pointer + value:pointer + value + length]
        i += 1 + raw[17]
    sys.exit('gen_wdk_layout: %s not found in %s' % (symbol, path))


def wdk_constants(names):
    """{name: value} for the names that are integer constant expressions in the WDK's headers."""
    cmd = [CLANG_CL, '--target=x86_64-pc-windows-msvc', '-fms-compatibility-version=19.39', '/nologo', '/c',
           '/kernel', '/Zp8', '/D_KERNEL_MODE', '/D_WIN64', '/D_AMD64_', '/DAMD64', '/DWINNT=1', '/D_WIN32_WINNT=0x0A00',
           '/DWINVER=0x0A00', '/imsvc', os.path.join(WDK_INC, 'km', 'crt'), '/imsvc', os.path.join(WDK_INC, 'km'),
           '/imsvc', os.path.join(WDK_INC, 'shared'), '/imsvc', os.path.join(SDK, 'casefix-km'),
           '/clang:-ferror-limit=0', '/w']
    candidates = list(names)
    with tempfile.TemporaryDirectory() as tmp:
        src, obj, raw = (os.path.join(tmp, n) for n in ('consts.c', 'consts.obj', 'consts.bin'))
        for _ in range(4):
            with open(src, 'w') as f:
                f.write('#include <fltKernel.h>\nconst long long jmf_wdk_constants[] = {\n')
                f.write(''.join('    (long long)(%s),\n' % n for n in candidates))
                f.write('};\n')
            r = subprocess.run(cmd + ['/Fo' + obj, '--', src], capture_output=True, text=True)
            if r.returncode == 0:
                break
            bad = {int(m) - 3 for m in re.findall(r'consts\.c[:(](\d+)', r.stdout + r.stderr)}
            if not bad:
                sys.stderr.write(r.stdout + r.stderr)
                sys.exit('gen_wdk_layout: the constants probe does not compile')
            candidates = [n for i, n in enumerate(candidates) if i not in bad]
        else:
            sys.exit('gen_wdk_layout: the constants probe does not compile')
        data = coff_symbol_bytes(obj, 'jmf_wdk_constants', 8 * len(candidates))
    values = {}
    for i, n in enumerate(candidates):
        values[n] = int.from_bytes(data[8 * i:8 * i + 8], 'little', signed=True)
    return values


def emu_constant_compiles(values):
    """The names whose value the emulator's headers can give as an integer constant."""
    ok = list(values)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'consts.c')
        for _ in range(4):
            with open(src, 'w') as f:
                f.write('#include <fltKernel.h>\nconst long long jmf_emu_constants[] = {\n')
                f.write(''.join('    (long long)(%s),\n' % n for n in ok))
                f.write('};\n')
            r = subprocess.run([CLANG, '--target=x86_64-linux-gnu', '-std=gnu11', '-fshort-wchar', '-fsyntax-only', '-w',
                                '-ferror-limit=0', '-I', EMU_INCLUDE, src], capture_output=True, text=True)
            if r.returncode == 0:
                return ok
            bad = {int(m) - 3 for m in re.findall(r'consts\.c:(\d+)', r.stderr)}
            ok = [n for i, n in enumerate(ok) if i not in bad]
    return ok


def generate():
    if not os.path.isfile(os.path.join(WDK_INC, 'km', 'fltKernel.h')):
        sys.exit('gen_wdk_layout: no WDK headers under %s (set up /work/shared/tools/wdk-check, '
                 'or set WDK_CHECK_SDK)' % SDK)
    wdk, emu = wdk_records(), emu_records()
    shared = sorted(tag for tag in emu if tag in wdk and emu[tag][0] == wdk[tag][0] and not tag.startswith('__'))
    out = [
        '/*',
        ' * wdk_x64_layout.h - GENERATED by gen_wdk_layout.py from the WDK 10.0.26100',
        ' * headers (x64, /kernel /Zp8): do not edit; run the script to regenerate.',
        ' *',
        ' * The sizes, alignments and field offsets, as the WDK lays them out, of every',
        ' * struct and union that both the WDK and the emulator\'s headers define: the',
        ' * objects that cross the boundary between driver code (the gcc build of the',
        ' * sources or the real .sys) and the emulator. Numbers only: nothing here is',
        ' * taken from the headers but the facts of their layout.',
        ' *',
        ' *   JMF_WDK_RECORD(kind, tag, size, align)',
        ' *   JMF_WDK_FIELD(kind, tag, field.path, offset)',
        ' *   JMF_WDK_TYPE(typedef-name, size, align)',
        ' *   JMF_WDK_CONST(name, value)      (macros and enumerators both define, as long long)',
        ' *',
        ' * layout_check.c turns every line into a static assertion on the emulator\'s',
        ' * own definitions.',
        ' */',
    ]
    for name in TYPEDEFS:
        kind, size, align, _, _ = wdk['jmf_typedef_' + name]
        out.append('JMF_WDK_TYPE(%s, %d, %d)' % (name, size, align))
    shared = [t for t in shared if not t.startswith('jmf_typedef_')]
    private = []
    for tag in shared:
        kind, size, align, fields, order = wdk[tag]
        out.append('JMF_WDK_RECORD(%s, %s, %d, %d)' % (kind, tag, size, align))
        for path in emu[tag][4]:
            if path in fields:
                out.append('JMF_WDK_FIELD(%s, %s, %s, %d)' % (kind, tag, path, fields[path]))
            elif not any(path.startswith(p + '.') for p in emu[tag][4] if p not in fields):
                private.append('%s %s.%s' % (kind, tag, path))
    if private:
        out.append('/*')
        out.append(' * Emulator-private fields (not in the WDK\'s definition; only their')
        out.append(' * record\'s size and the shared fields\' offsets are asserted):')
        out.extend(' *   ' + p for p in private)
        out.append(' */')
    values = wdk_constants(emu_constant_names())
    for name in emu_constant_compiles(values):
        out.append('JMF_WDK_CONST(%s, %d)' % (name, values[name]))
    only_emu = sorted(t for t in emu if t not in wdk and not t.startswith(('_EMU', 'EMU', '__', 'jmf_typedef_')))
    if only_emu:
        out.append('/* Emulator records the WDK does not define (not checked): ' + ', '.join(only_emu) + ' */')
    return '\n'.join(out) + '\n'


def main(argv):
    target = os.path.join(HERE, 'wdk_x64_layout.h')
    check = '--check' in argv
    if '-o' in argv:
        target = argv[argv.index('-o') + 1]
    text = generate()
    if check:
        with open(target) as f:
            if f.read() != text:
                sys.exit('gen_wdk_layout: %s is stale: rerun gen_wdk_layout.py' % target)
        print('gen_wdk_layout: %s is up to date' % target)
        return
    with open(target, 'w') as f:
        f.write(text)
    print('gen_wdk_layout: wrote %s (%d records)' % (target, text.count('\nJMF_WDK_RECORD(')))


if __name__ == '__main__':
    main(sys.argv[1:])
