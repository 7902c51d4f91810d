/// Splits a search filter or `order_by` clause into ``FilterToken``s.
///
/// - Bare words start with a letter or `_` and continue with letters, digits and `_ . - / :`,
///   so `tags.mlflow.runName` is one word.
/// - Numbers: optional sign, digits with an optional fraction and exponent (`-1`, `.5`, `2.`, `1e-3`).
/// - Quotes: `'…'`, `"…"` and `` `…` ``. Inside them a doubled delimiter or a backslash before a
///   quote character or a backslash stands for that character; any other backslash is kept, so
///   LIKE escapes such as `\%` reach the pattern unchanged.
/// - Operators `=  !=  <  <=  >  >=` (plus `==` and `<>`, which the parser rejects), `(`, `)`, `,`.
public enum FilterLexer {
    /// Tokenises `source`.
    /// - Parameter source: the filter or `order_by` text.
    /// - Returns: the tokens in source order.
    /// - Throws: ``CairnError/invalidParameter(_:file:line:)`` for an unterminated quote, a malformed
    ///   number or a character that can start no token, naming its position.
    public static func tokenize(_ source: String) throws(CairnError) -> [FilterToken] {
        let chars = Array(source)
        var tokens: [FilterToken] = []
        var index = 0
        while index < chars.count {
            let char = chars[index]
            if char.isWhitespace {
                index += 1
                continue
            }
            let start = index
            switch char {
            case "(", ")", ",":
                let kind: FilterToken.Kind = char == "(" ? .leftParenthesis : char == ")" ? .rightParenthesis : .comma
                index += 1
                tokens.append(FilterToken(kind: kind, text: String(char), position: start, end: index))
            case "'", "\"", "`":
                let style: FilterToken.QuoteStyle = char == "'" ? .single : char == "\"" ? .double : .backtick
                let (text, next) = try readQuoted(chars, from: start, style: style)
                index = next
                tokens.append(FilterToken(kind: .quoted(style), text: text, position: start, end: index))
            case "=", "!", "<", ">":
                index += 1
                if index < chars.count, ["!=", "<=", ">=", "==", "<>"].contains(String([char, chars[index]])) {
                    index += 1
                } else if char == "!" {
                    throw CairnError.invalidParameter("Unexpected character '!' at position \(start) in filter; did you mean '!='?")
                }
                tokens.append(FilterToken(kind: .comparisonOperator, text: String(chars[start..<index]), position: start, end: index))
            default:
                if startsNumber(chars, at: start) {
                    let (value, next) = try readNumber(chars, from: start)
                    index = next
                    tokens.append(FilterToken(kind: .number(value), text: String(chars[start..<index]), position: start, end: index))
                } else if char.isLetter || char == "_" {
                    while index < chars.count, isWordCharacter(chars[index]) { index += 1 }
                    tokens.append(FilterToken(kind: .word, text: String(chars[start..<index]), position: start, end: index))
                } else {
                    throw CairnError.invalidParameter("Unexpected character '\(char)' at position \(start) in filter")
                }
            }
        }
        return tokens
    }

    static func isWordCharacter(_ char: Character) -> Bool {
        char.isLetter || char.isNumber || char == "_" || char == "." || char == "-" || char == "/" || char == ":"
    }

    private static func isDigit(_ chars: [Character], _ index: Int) -> Bool {
        index < chars.count && chars[index].isASCII && chars[index].isWholeNumber
    }

    private static func startsNumber(_ chars: [Character], at index: Int) -> Bool {
        var index = index
        if chars[index] == "-" || chars[index] == "+" { index += 1 }
        if index < chars.count, chars[index] == "." { index += 1 }
        return isDigit(chars, index)
    }

    private static func readNumber(_ chars: [Character], from start: Int) throws(CairnError) -> (Double, Int) {
        var index = start
        if chars[index] == "-" || chars[index] == "+" { index += 1 }
        while isDigit(chars, index) { index += 1 }
        if index < chars.count, chars[index] == "." {
            index += 1
            while isDigit(chars, index) { index += 1 }
        }
        if index < chars.count, chars[index] == "e" || chars[index] == "E" {
            var exponent = index + 1
            if exponent < chars.count, chars[exponent] == "+" || chars[exponent] == "-" { exponent += 1 }
            if isDigit(chars, exponent) {
                index = exponent
                while isDigit(chars, index) { index += 1 }
            }
        }
        var end = index
        while end < chars.count, isWordCharacter(chars[end]) { end += 1 }
        let text = String(chars[start..<end])
        guard end == index, let value = Double(text), value.isFinite else {
            throw CairnError.invalidParameter("Invalid number '\(text)' at position \(start) in filter")
        }
        return (value, index)
    }

    private static func readQuoted(
        _ chars: [Character],
        from start: Int,
        style: FilterToken.QuoteStyle
    ) throws(CairnError) -> (String, Int) {
        let quote = style.character
        var text = ""
        var index = start + 1
        while index < chars.count {
            let char = chars[index]
            if char == "\\", index + 1 < chars.count, ["'", "\"", "`", "\\"].contains(chars[index + 1]) {
                text.append(chars[index + 1])
                index += 2
            } else if char == quote {
                if index + 1 < chars.count, chars[index + 1] == quote {
                    text.append(quote)
                    index += 2
                } else {
                    return (text, index + 1)
                }
            } else {
                text.append(char)
                index += 1
            }
        }
        let what = style == .backtick ? "quoted key" : "string"
        throw CairnError.invalidParameter("Unterminated \(what) starting at position \(start) in filter: missing closing \(quote)")
    }
}
