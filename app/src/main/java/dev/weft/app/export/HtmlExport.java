package dev.weft.app.export;

import dev.weft.app.project.CellData;
import dev.weft.app.project.CellKind;
import dev.weft.app.project.Project;
import dev.weft.app.project.ProjectFile;

import java.util.Base64;

/** The story as one self-contained HTML page: paragraphs and inline PNG pictures (sketches are left out). */
public final class HtmlExport {
    private HtmlExport() { }

    public static String html(Project p, String title) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(title)).append("</title>\n<style>\n")
                .append("body{max-width:42em;margin:3em auto;padding:0 1em;font:18px/1.6 Georgia,serif;color:#222}\n")
                .append("figure{margin:1.5em 0}img{max-width:100%;width:512px;image-rendering:auto;")
                .append("border-radius:6px}\n</style>\n</head>\n<body>\n<h1>").append(escape(title))
                .append("</h1>\n");
        int n = 0;
        for (CellData c : p.cells()) {
            if (c.kind() == CellKind.TEXT && !c.text().isBlank()) {
                for (String para : c.text().strip().split("\\n\\s*\\n")) {
                    sb.append("<p>").append(escape(para).replace("\n", "<br>")).append("</p>\n");
                }
            } else if (c.kind() == CellKind.IMAGE && c.image() != null) {
                n++;
                sb.append("<figure><img alt=\"picture ").append(n).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(ProjectFile.png(c.image())))
                        .append("\"></figure>\n");
            }
        }
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
