// The syntax of OCR language lists, shared by the project settings (web) and the OCR engine
// (worker): Tesseract codes of letters, digits and _, joined by "+". Whether the packs are
// installed is only known where Tesseract runs.
export const OCR_LANGUAGES_PATTERN = /^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$/;
