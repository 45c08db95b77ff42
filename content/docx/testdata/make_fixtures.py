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
  gongwen.docx     a 通知 in the GB/T 9704-2012 format with its real fonts and sizes:
                   a red 发文机关标志, the 发文字号, the title in 2号 方正小标宋简体
                   centred and not bold, 主送机关, 一、 headings in 3号 黑体 and （一）
                   in 3号 楷体 (neither bold), the body in 3号 仿宋_GB2312 with a
                   two-character first-line indent (640 twips), 附件说明, 落款 and
                   成文日期 pushed right by a left indent, and the 附件 page.
  parts.docx       what Word 2016+ writes that was lost: emoji (mc:AlternateContent
                   whose Choice requires w16se), a table whose rows sit in content
                   controls (a repeating section), a table whose every row is
                   tracked-deleted, a group of two text boxes (a table in the
                   second), a chart, two embedded objects with EMF previews, and
                   the page breaks Word records (w:lastRenderedPageBreak).
  justify.docx     a document of justified paragraphs and a table of one-paragraph
                   cells, with 16,000 characters of text: under WeChat's limit
                   once written without markup that shows nothing.
Run with names (python3 make_fixtures.py gongwen parts) to make only those.
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


def font(run, name, half_points, colour=None, bold=None):
    """Set a run's fonts as Word does for Chinese text: eastAsia and the
    Latin fonts, and the size (in half-points: 3号 = 32, 2号 = 44)."""
    run.font.name = name
    rpr = run._r.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(a), name)
    run.font.size = Pt(half_points / 2)
    if colour:
        run.font.color.rgb = colour
    if bold is not None:
        run.bold = bold
    return run


def ind(p, **attrs):
    ppr = p._p.get_or_add_pPr()
    e = OxmlElement("w:ind")
    for k, v in attrs.items():
        e.set(qn("w:" + k), str(v))
    ppr.append(e)


def gongwen():
    doc = Document()
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(p.add_run("青山县人民政府办公室文件"), "方正小标宋简体", 72, RGBColor(0xFF, 0, 0))
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(p.add_run("青政办发〔2026〕12号"), "仿宋_GB2312", 32)
    doc.add_paragraph()
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(p.add_run("青山县人民政府办公室关于做好元旦春节期间安全生产工作的通知"), "方正小标宋简体", 44)
    doc.add_paragraph()
    p = doc.add_paragraph()
    font(p.add_run("各乡镇人民政府，县政府各部门："), "仿宋_GB2312", 32)

    def body(text):
        p = doc.add_paragraph()
        ind(p, firstLine=640)
        font(p.add_run(text), "仿宋_GB2312", 32)
        return p

    def heading(text, face):
        p = doc.add_paragraph()
        ind(p, firstLine=640)
        font(p.add_run(text), face, 32)

    body("元旦春节将至，为切实做好节日期间安全生产工作，经县政府同意，现将有关事项通知如下。")
    heading("一、提高思想认识", "黑体")
    body("各乡镇、各部门要充分认识做好节日期间安全生产工作的重要性，坚决防范遏制重特大事故。")
    heading("二、突出工作重点", "黑体")
    heading("（一）道路交通安全", "楷体_GB2312")
    body("加强重点路段巡查，严查超速超载、酒后驾驶等违法行为。")
    heading("（二）消防安全", "楷体_GB2312")
    body("对人员密集场所开展消防安全检查，确保疏散通道畅通。")
    heading("三、严格值班值守", "黑体")
    body("节日期间实行24小时值班和领导带班制度，遇有重大情况及时报告。")
    doc.add_paragraph()
    p = doc.add_paragraph()
    ind(p, left=1600, hanging=960)
    font(p.add_run("附件：1．青山县节日期间值班安排表"), "仿宋_GB2312", 32)
    p = doc.add_paragraph()
    ind(p, left=1600)
    font(p.add_run("2．青山县安全生产检查重点单位名单"), "仿宋_GB2312", 32)
    doc.add_paragraph()
    p = doc.add_paragraph()
    ind(p, left=4800)
    font(p.add_run("青山县人民政府办公室"), "仿宋_GB2312", 32)
    p = doc.add_paragraph()
    ind(p, left=5120)
    font(p.add_run("2026年12月20日"), "仿宋_GB2312", 32)
    p = doc.add_paragraph()
    ind(p, firstLine=640)
    font(p.add_run("（此件公开发布）"), "仿宋_GB2312", 32)
    p = doc.add_paragraph()
    p.paragraph_format.page_break_before = True
    font(p.add_run("附件1"), "黑体", 32)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(p.add_run("青山县节日期间值班安排表"), "方正小标宋简体", 44)
    t = doc.add_table(rows=2, cols=3)
    t.style = "Table Grid"
    for i, row in enumerate([["日期", "带班领导", "值班人员"], ["1月1日", "李明", "王芳"]]):
        for j, text in enumerate(row):
            t.cell(i, j).text = text
    doc.save("gongwen.docx")


NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:w16se="http://schemas.microsoft.com/office/word/2015/wordml/symex" '
      'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" '
      'xmlns:wpg="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
      'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def emf():
    """A minimal EMF: a header record (type 1, " EMF" at byte 40) and EOF."""
    header = struct.pack("<II4i4i", 1, 108, 0, 0, 100, 100, 0, 0, 2540, 2540)
    header += b" EMF" + struct.pack("<IIIHHIII", 0x10000, 108 + 20, 2, 0, 0, 0, 0, 0)
    header += struct.pack("<2i2i", 1024, 768, 320, 240)
    header += b"\x00" * (108 - len(header))
    eof = struct.pack("<IIIII", 14, 20, 0, 16, 20)
    return header + eof


def parts():
    from docx.oxml import parse_xml
    doc = Document()
    doc.add_paragraph("部件测试", style="Title")
    body = doc.element.body

    def add(xml):
        body.insert(len(body) - 1, parse_xml(xml.replace("NS", NS, 1)))

    add('<w:p NS><w:r><w:t xml:space="preserve">点赞</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="w16se">'
        '<w16se:symEx w16se:font="Segoe UI Emoji" w16se:char="1F44D"/></mc:Choice><mc:Fallback><w:t>\U0001F44D</w:t></mc:Fallback>'
        '</mc:AlternateContent></w:r><w:r><w:t>青山发布</w:t></w:r></w:p>')
    rows = "".join('<w:tr><w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc></w:tr>' % r
                   for r in [("城关镇", "张三"), ("河口乡", "李四")])
    add('<w:tbl NS><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr><w:tr><w:tc><w:p><w:r><w:t>乡镇</w:t></w:r></w:p></w:tc>'
        '<w:tc><w:p><w:r><w:t>联系人</w:t></w:r></w:p></w:tc></w:tr><w:sdt><w:sdtPr><w15:repeatingSection/></w:sdtPr><w:sdtContent>'
        + rows + '</w:sdtContent></w:sdt></w:tbl>')
    add('<w:p NS><w:r><w:t>删除的表格之后</w:t></w:r></w:p>')
    deleted = "".join('<w:tr><w:trPr><w:del w:id="%d" w:author="王芳" w:date="2026-12-01T00:00:00Z"/></w:trPr><w:tc><w:p><w:del w:id="%d" w:author="王芳" w:date="2026-12-01T00:00:00Z"><w:r><w:delText>已删%d</w:delText></w:r></w:del></w:p></w:tc></w:tr>' % (i, i + 10, i) for i in range(1, 3))
    add('<w:tbl NS><w:tblPr/>' + deleted + '</w:tbl>')
    box = lambda inner: ('<wps:wsp><wps:txbx><w:txbxContent>' + inner + '</w:txbxContent></wps:txbx></wps:wsp>')
    add('<w:p NS><w:r><w:t>组合图形：</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wpg"><w:drawing><wp:anchor><wp:docPr id="5" name="组合 5"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup"><wpg:wgp>'
        + box('<w:p><w:r><w:t>第一个文本框</w:t></w:r></w:p>')
        + box('<w:p><w:r><w:t>第二个文本框</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>框中表格</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
              '<w:sdt><w:sdtContent><w:p><w:r><w:t>框中控件</w:t></w:r></w:p></w:sdtContent></w:sdt>')
        + '</wpg:wgp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:group>'
        '<v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>第一个文本框</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape>'
        '</v:group></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')
    add('<w:p NS><w:r><w:lastRenderedPageBreak/><w:t>第二页</w:t></w:r></w:p>')
    add('<w:p NS><w:r><w:lastRenderedPageBreak/><w:t>第三页的图表：</w:t></w:r><w:r><w:drawing><wp:inline><wp:docPr id="7" name="图表 7"/><a:graphic>'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart r:id="rIdChartNone"/></a:graphicData>'
        '</a:graphic></wp:inline></w:drawing></w:r></w:p>')
    emf_part = Part(PackURI("/word/media/image9.bin"), "image/x-emf", emf(), doc.part.package)
    rid = doc.part.relate_to(emf_part, RT.IMAGE)
    for n in range(2):
        add('<w:p NS><w:r><w:t>嵌入的表格%d：</w:t></w:r><w:r><w:object><v:shape id="_x0000_i10%d" style="width:300pt;height:200pt">'
            '<v:imagedata r:id="%s" o:title=""/></v:shape><o:OLEObject Type="Embed" ProgID="Excel.Sheet.12" ShapeID="_x0000_i10%d" '
            'DrawAspect="Content" ObjectID="_17000%d"/></w:object></w:r></w:p>' % (n + 1, n, rid, n, n))
    add('<w:p NS><w:r><w:t>结束。</w:t></w:r></w:p>')
    doc.save("parts.docx")


def justify():
    doc = Document()
    doc.add_paragraph("青山县2026年工作总结", style="Title")
    sentence = "今年以来，全县上下坚持稳中求进工作总基调，经济社会发展取得新成效。"
    for i in range(40):
        p = doc.add_paragraph(sentence * 11)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        indent(p)
    t = doc.add_table(rows=30, cols=4)
    for r in range(30):
        for c in range(4):
            cell = t.cell(r, c)
            cell.text = "指标%02d" % r
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            indent(cell.paragraphs[0])
    doc.save("justify.docx")


if __name__ == "__main__":
    import sys
    if len(sys.argv) > 1:
        for name in sys.argv[1:]:
            globals()[name]()
        sys.exit(0)
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
    gongwen()
    parts()
    justify()
