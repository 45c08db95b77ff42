#!/usr/bin/python3
"""Makes the Word fixtures of herald's .docx import tests with python3-docx
(Debian's python3-docx 0.8.11) and LibreOffice headless.

Run from this folder:  /usr/bin/python3 make_fixtures.py
It writes:
  report.docx      title (Title style), centred caption, first-line indents,
                   a bold 一、 heading by direct formatting, a Heading 1 and a
                   Heading 2, bold/italic/underline/colour runs, a bulleted and a
                   numbered list, a table with merged cells, two pictures, a
                   footnote, a right-aligned 落款 and date.
  notice.docx      no picture; its title is the first centred bold paragraph.
  twoline.docx     a long title set on two centred bold lines, then a centred
                   文号 line that is not bold.
  long.docx        over WeChat's 20,000-character limit.
  bigpicture.docx  a 1.3 MB picture (WeChat's body pictures must be < 1 MB).
  bomb.docx        a 200 MB picture that deflates to a few hundred KB.
  damaged.docx     report.docx cut in half.
  legacy.doc       report.docx saved by LibreOffice as Word 97-2003 (.doc).
  report-lo.docx   report.docx opened and saved again by LibreOffice Writer
                   (its own styles, numbering and drawing markup).
  encrypted.docx   notice.docx protected with an open password (encrypt_fixture.go),
                   checked by decrypting it with python3-msoffcrypto-tool.
  report20.docx    the benchmark's report: 20 pages (as LibreOffice lays it out), 10 pictures, 10 tables.
Pictures are PNGs drawn here (stdlib zlib), so nothing else is needed.
"""
import io
import os
import random
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

random.seed(14)


def png(width, height, noise=False, colour=(0xC6, 0x28, 0x28)):
    """A truecolour PNG: a flat colour with a stripe, or random noise
    (incompressible, to make a picture of a given size)."""
    rows = []
    for y in range(height):
        if noise:
            row = bytes(random.getrandbits(8) for _ in range(width * 3))
        else:
            c = colour if (y // 8) % 4 else (0xFF, 0xFF, 0xFF)
            row = bytes(c) * width
        rows.append(b"\x00" + row)
    raw = b"".join(rows)

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def indent(p, chars=2):
    p.paragraph_format.first_line_indent = Pt(12 * chars)


def add_footnote(doc, paragraph, note_text):
    """python-docx 0.8 has no footnote API: add word/footnotes.xml and a
    footnoteReference run the way Word writes them."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:footnotes xmlns:w="{w}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
        '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
        f'<w:r><w:t xml:space="preserve"> {note_text}</w:t></w:r></w:p></w:footnote>'
        '</w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                xml.encode("utf-8"), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    r = paragraph.add_run()
    rpr = OxmlElement("w:rPr")
    va = OxmlElement("w:vertAlign")
    va.set(qn("w:val"), "superscript")
    rpr.append(va)
    r._r.append(rpr)
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), "1")
    r._r.append(ref)


def report():
    doc = Document()
    doc.add_paragraph("青山县召开2026年安全生产工作会议", style="Title")
    cap = doc.add_paragraph("（2026年11月20日）")
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER

    p = doc.add_paragraph("11月20日上午，青山县召开2026年安全生产工作会议，")
    indent(p)
    r = p.add_run("全面部署")
    r.bold = True
    p.add_run("今冬明春安全生产工作。")
    r = p.add_run("县长李明")
    r.italic = True
    p.add_run("出席会议并讲话，")
    r = p.add_run("强调要压实责任")
    r.underline = True
    p.add_run("，")
    r = p.add_run("守住安全底线")
    r.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    p.add_run("。")
    add_footnote(doc, p, "数据来源：青山县应急管理局。")

    h = doc.add_paragraph()
    r = h.add_run("一、总体要求")
    r.bold = True

    p = doc.add_paragraph("会议要求，各乡镇、各部门要坚持人民至上、生命至上，统筹发展和安全。")
    indent(p)
    doc.add_picture(io.BytesIO(png(320, 200)), width=Cm(12))
    cap = doc.add_paragraph("图为会议现场")
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("重点任务", level=1)
    doc.add_paragraph("开展消防安全专项整治", style="List Bullet")
    doc.add_paragraph("排查道路交通隐患", style="List Bullet")
    doc.add_heading("工作步骤", level=2)
    doc.add_paragraph("动员部署阶段", style="List Number")
    doc.add_paragraph("排查整治阶段", style="List Number")
    doc.add_paragraph("总结验收阶段", style="List Number")

    doc.add_paragraph("各乡镇隐患排查情况如下表：")
    t = doc.add_table(rows=4, cols=3)
    t.style = "Table Grid"
    cells = [["乡镇", "排查隐患", "已整改"], ["城关镇", "12", "10"], ["河口乡", "8", "8"], ["合计", "", "18"]]
    for i, row in enumerate(cells):
        for j, text in enumerate(row):
            t.cell(i, j).text = text
    for c in t.rows[0].cells:
        c.paragraphs[0].runs[0].bold = True
    t.cell(3, 0).merge(t.cell(3, 1))  # 合计 spans two columns
    t.cell(3, 0).text = "合计（两乡镇）"

    p = doc.add_paragraph("会后，与会人员实地察看了城关镇")
    indent(p)
    p.add_run().add_picture(io.BytesIO(png(160, 120, colour=(0x15, 0x65, 0xC0))), width=Cm(4))
    p.add_run("的整改现场。")

    sig = doc.add_paragraph("青山县安全生产委员会办公室")
    sig.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    date = doc.add_paragraph("2026年11月20日")
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save("report.docx")


def notice():
    doc = Document()
    t = doc.add_paragraph()
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = t.add_run("关于做好冬季森林防火工作的通知")
    r.bold = True
    r.font.size = Pt(22)
    p = doc.add_paragraph("各乡镇人民政府，县直各单位：")
    for head, text in [("一、提高思想认识", "冬季气候干燥，森林火险等级高。"),
                       ("二、严格火源管理", "进山入林严禁携带火种。")]:
        h = doc.add_paragraph()
        indent(h)
        h.add_run(head).bold = True
        p = doc.add_paragraph(text)
        indent(p)
    sig = doc.add_paragraph("青山县森林防灭火指挥部")
    sig.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save("notice.docx")


def twoline():
    doc = Document()
    for line in ["青山县人民政府办公室关于印发", "《青山县2027年森林防火工作方案》的通知"]:
        t = doc.add_paragraph()
        t.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = t.add_run(line)
        r.bold = True
        r.font.size = Pt(22)
    num = doc.add_paragraph("青政办发〔2026〕12号")
    num.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph("各乡镇人民政府，县直各单位：")
    p = doc.add_paragraph("现将《青山县2027年森林防火工作方案》印发给你们，请认真贯彻执行。")
    indent(p)
    doc.save("twoline.docx")


def long_doc():
    doc = Document()
    doc.add_paragraph("青山县2026年政府工作报告（全文）", style="Title")
    sentence = "过去一年，全县上下坚持稳中求进工作总基调，经济社会发展取得新成效。"
    for i in range(30):
        doc.add_paragraph(f"{i + 1}. " + sentence * 22)
    doc.save("long.docx")


def big_picture():
    doc = Document()
    doc.add_paragraph("青山县新貌摄影展", style="Title")
    doc.add_paragraph("以下是获奖作品。")
    doc.add_picture(io.BytesIO(png(660, 660, noise=True)), width=Cm(12))
    doc.save("bigpicture.docx")


def bomb():
    """A picture entry of 200 MB of zeros: tiny compressed, huge inflated."""
    doc = Document()
    doc.add_paragraph("图片压缩炸弹", style="Title")
    doc.add_picture(io.BytesIO(png(16, 16)), width=Cm(2))
    buf = io.BytesIO()
    doc.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile("bomb.docx", "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("word/media/"):
                with out.open(info.filename, "w", force_zip64=True) as f:
                    f.write(data)
                    zero = bytes(1 << 20)
                    for _ in range(200):
                        f.write(zero)
            else:
                out.writestr(info, data)


def damaged():
    with open("report.docx", "rb") as f:
        data = f.read()
    with open("damaged.docx", "wb") as f:
        f.write(data[: len(data) // 2])


def legacy():
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("soffice not found: legacy.doc and report-lo.docx not made")
        return
    for fmt, out in [("doc", "legacy.doc"), ('docx:MS Word 2007 XML', "report-lo.docx")]:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([soffice, "-env:UserInstallation=file://" + tmp + "/profile", "--headless",
                            "--convert-to", fmt, "--outdir", tmp, "report.docx"], check=True,
                           stdout=subprocess.DEVNULL)
            shutil.copy(os.path.join(tmp, "report." + fmt.split(":")[0]), out)


def encrypted():
    """notice.docx with the open password "herald": see encrypt_fixture.go
    (excelize's ECMA-376 agile encryption); checked by decrypting it again
    with msoffcrypto-tool when that is installed."""
    subprocess.run(["go", "run", "encrypt_fixture.go"], check=True)
    try:
        import msoffcrypto
    except ImportError:
        return
    with open("encrypted.docx", "rb") as f:
        office = msoffcrypto.OfficeFile(f)
        office.load_key(password="herald")
        plain = io.BytesIO()
        office.decrypt(plain)
    assert zipfile.ZipFile(plain).read("word/document.xml"), "encrypted.docx does not decrypt"


def report20():
    doc = Document()
    doc.add_paragraph("青山县2026年度重点工作推进情况报告", style="Title")
    para = ("今年以来，县委、县政府坚持以习近平新时代中国特色社会主义思想为指导，"
            "聚焦高质量发展首要任务，扎实推进各项重点工作，取得了阶段性成效。")
    n = 0
    for section in range(10):
        h = doc.add_paragraph()
        h.add_run("一二三四五六七八九十"[section] + "、第%d项重点工作" % (section + 1)).bold = True
        for i in range(8):
            p = doc.add_paragraph(para * 2)
            indent(p)
        doc.add_picture(io.BytesIO(png(200, 150, noise=True)), width=Cm(15))
        c = doc.add_paragraph("图%d 工作现场" % (section + 1))
        c.alignment = WD_ALIGN_PARAGRAPH.CENTER
        n += 1
        t = doc.add_table(rows=3, cols=4)
        t.style = "Table Grid"
        for r in range(3):
            for c in range(4):
                t.cell(r, c).text = "指标%d-%d" % (r, c)
    doc.save("report20.docx")


if __name__ == "__main__":
    report()
    notice()
    twoline()
    long_doc()
    big_picture()
    bomb()
    damaged()
    legacy()
    encrypted()
    report20()
