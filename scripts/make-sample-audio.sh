#!/usr/bin/env bash
# Regenerates the sample station's audio under audio/ (see audio/README.md and
# schedules/lien-minh-2025.yaml): synthesized tunes (sox) and Vietnamese speech
# (espeak-ng). Every spoken text is written out below, so that a reader knows
# what each file says.
#
# Usage: scripts/make-sample-audio.sh        (from any directory)
#
# Output: Ogg Vorbis, mono, 22050 Hz, low quality settings, so that the whole
# folder stays small. The result is deterministic: sox runs in repeatable mode
# (-R: fixed random seeds and Ogg serial numbers) and espeak-ng has no
# randomness, so the same tool versions give the same bytes on every run.
#
# Needs the Debian packages espeak-ng, sox and libsox-fmt-all.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/audio"

rate=22050          # Hz, mono
speech_quality=0    # Vorbis quality (-1…10) for speech
music_quality=2     # and for the tunes
voice=vi            # espeak-ng's Northern Vietnamese voice
speed=150           # espeak-ng words (here: syllables) per minute
comment="loa sample audio, made by scripts/make-sample-audio.sh"

die() { echo "make-sample-audio: $*" >&2; exit 1; }

command -v espeak-ng >/dev/null 2>&1 ||
  die "espeak-ng not found: install it with 'sudo apt-get install espeak-ng'"
command -v sox >/dev/null 2>&1 ||
  die "sox not found: install it with 'sudo apt-get install sox libsox-fmt-all'"
sox -h 2>/dev/null | grep -qw vorbis ||
  die "this sox cannot write Ogg Vorbis: install it with 'sudo apt-get install libsox-fmt-all'"
espeak-ng --voices=vi 2>/dev/null | grep -qw vi ||
  die "espeak-ng has no Vietnamese voice: install it with 'sudo apt-get install espeak-ng-data'"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# encode QUALITY INPUT… OUTPUT [EFFECT…]: writes audio/OUTPUT as Ogg Vorbis.
# Writes to a temporary file first, so an interrupted run leaves no half file.
encode() {
  local quality="$1" name="$2"
  shift 2
  local inputs=() effects=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do inputs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  effects=("$@")
  mkdir -p "$(dirname "$out/$name")"
  sox -R -V1 "${inputs[@]}" -r "$rate" -c 1 -C "$quality" --comment "$comment" \
    "$tmp/encoded.ogg" "${effects[@]}"
  mv -f "$tmp/encoded.ogg" "$out/$name"
  printf '  %-38s %5.1f s\n' "$name" "$(soxi -D "$out/$name")"
}

# say WAV TEXT: Vietnamese speech into a WAV file in $tmp, cleaned up for radio
# (low rumble removed, normalized, short pauses before and after).
say() {
  local wav="$1" text="$2"
  printf '%s' "$text" | espeak-ng -v "$voice" -s "$speed" -w "$tmp/raw.wav" --stdin
  sox -R -V1 "$tmp/raw.wav" -r "$rate" -c 1 "$tmp/$wav" highpass 90 norm -3 pad 0.3 0.6
}

# speak NAME TEXT: Vietnamese speech straight into audio/NAME.
speak() {
  local name="$1" text="$2"
  say speech.wav "$text"
  encode "$speech_quality" "$name" "$tmp/speech.wav"
}

# melody WAV NOTE… : plucked notes, each "FREQUENCY:SECONDS", played one after
# another over a soft drone, with a little reverb.
melody() {
  local wav="$1"
  shift
  local notes=() i=0 total spec freq length
  for spec in "$@"; do
    freq="${spec%%:*}"
    length="${spec##*:}"
    sox -R -V1 -n -r "$rate" -c 1 "$tmp/note-$i.wav" \
      synth "$length" pluck "$freq" fade q 0.005 "$length" 0.08 gain -6
    notes+=("$tmp/note-$i.wav")
    i=$((i + 1))
  done
  sox -R -V1 "${notes[@]}" "$tmp/notes.wav"
  total="$(soxi -D "$tmp/notes.wav")"
  # A drone on the tonic and fifth (C3 and G3), quiet, fading in and out.
  sox -R -V1 -n -r "$rate" -c 1 "$tmp/drone.wav" \
    synth "$total" sine 130.81 sine mix 196.00 tremolo 5 20 \
    fade t 0.8 "$total" 1.2 gain -24
  # Two passes: fade needs to know the length, which pad changes.
  sox -R -V1 -m "$tmp/notes.wav" "$tmp/drone.wav" "$tmp/mixed.wav" \
    lowpass 3500 pad 0 1.4 reverb 45 50 80
  sox -R -V1 "$tmp/mixed.wav" "$tmp/$wav" fade t 0.15 -0 1.0 norm -3
}

# Notes of the C major pentatonic scale (do re mi sol la), in Hz.
C4=261.63 D4=293.66 E4=329.63 G4=392.00 A4=440.00
C5=523.25 D5=587.33 E5=659.25 G5=783.99 A5=880.00

echo "Writing sample audio to $out"

# --- Tunes -----------------------------------------------------------------

# Signature tune (nhạc hiệu): a rising and falling pentatonic phrase, ~7 s.
melody nhac-hieu.wav \
  $C5:0.3 $D5:0.3 $E5:0.6 $G5:0.3 $A5:0.3 $G5:0.6 \
  $E5:0.3 $D5:0.3 $E5:0.3 $G5:0.3 $D5:0.6 $C5:1.2
encode "$music_quality" nhac-hieu.ogg "$tmp/nhac-hieu.wav"

# Closing tune (nhạc hiệu kết): a short falling phrase, ~4 s.
melody nhac-hieu-ket.wav \
  $A4:0.3 $G4:0.3 $E4:0.6 $D4:0.3 $E4:0.3 $C4:1.0
encode "$music_quality" nhac-hieu-ket.ogg "$tmp/nhac-hieu-ket.wav"

# --- Greetings (lời chào) --------------------------------------------------

speak loi-chao/sang.ogg \
  "Đài truyền thanh xã Liên Minh xin kính chào quý vị và các bạn. Sau đây là chương trình phát thanh buổi sáng."

speak loi-chao/chieu.ogg \
  "Đài truyền thanh xã Liên Minh xin kính chào quý vị và các bạn. Sau đây là chương trình phát thanh buổi chiều."

speak loi-chao/cuoi-tuan.ogg \
  "Đài truyền thanh xã Liên Minh xin kính chào quý vị và các bạn. Mời quý vị đón nghe chuyên mục Văn hóa, thể thao và du lịch cuối tuần."

speak loi-chao/ket-thuc.ogg \
  "Chương trình phát thanh của Đài truyền thanh xã Liên Minh đến đây là kết thúc. Cảm ơn quý vị và các bạn đã chú ý lắng nghe. Xin kính chào và hẹn gặp lại."

# --- Local news (bản tin địa phương) ---------------------------------------

speak ban-tin/tin-dia-phuong.ogg \
  "Bản tin địa phương. Trong tuần qua, Ủy ban nhân dân xã đã phát động ra quân vệ sinh môi trường, khơi thông cống rãnh tại các thôn. Bà con nông dân đang khẩn trương thu hoạch lúa mùa và làm đất trồng cây vụ đông. Trạm y tế xã khuyến cáo người dân chủ động phòng chống sốt xuất huyết, không để nước đọng quanh nhà."

# --- Campaign spots (tuyên truyền chuyên đề) -------------------------------

# II.1: Nghị quyết 47/NQ-CP and Kết luận 57-KL/TW on external information.
speak chien-dich/thong-tin-doi-ngoai.ogg \
  "Thực hiện Nghị quyết số 47 của Chính phủ và Kết luận số 57 của Bộ Chính trị về công tác thông tin đối ngoại, mỗi cán bộ, đảng viên và người dân xã Liên Minh hãy tích cực giới thiệu hình ảnh đất nước, con người Việt Nam hòa bình, thân thiện tới bạn bè trong nước và quốc tế; chỉ chia sẻ thông tin chính thống, không lan truyền tin giả, tin sai sự thật."

# II.2: sustainable poverty reduction programme 2021–2025.
speak chien-dich/giam-ngheo.ogg \
  "Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021 đến 2025 đã giúp nhiều hộ nghèo, hộ cận nghèo trong xã được vay vốn ưu đãi, học nghề và phát triển sản xuất. Mỗi gia đình, mỗi dòng họ hãy chung tay giúp đỡ nhau vươn lên thoát nghèo bền vững."

# II.3: Quyết định 1079/QĐ-TTg, communication on human rights in Viet Nam.
speak chien-dich/quyen-con-nguoi.ogg \
  "Hiến pháp năm 2013 khẳng định: ở nước Cộng hòa xã hội chủ nghĩa Việt Nam, quyền con người, quyền công dân được công nhận, tôn trọng, bảo vệ và bảo đảm. Việt Nam đã đạt nhiều thành tựu về giảm nghèo, giáo dục và chăm sóc sức khỏe cho mọi người dân. Hãy cảnh giác trước những luận điệu xuyên tạc tình hình quyền con người ở nước ta."

# II.4: the image, people, history and culture of the commune.
speak chien-dich/que-huong-lien-minh.ogg \
  "Liên Minh là vùng quê giàu truyền thống văn hóa, với những lễ hội làng, những mái đình, ngôi chùa cổ kính và những nghề truyền thống gắn bó bao đời. Mỗi người dân hãy là một đại sứ, giới thiệu con người, lịch sử và văn hóa quê hương tới bạn bè, du khách gần xa."

# II.5: sovereignty, territory, borders, seas and islands (two spots, rotated).
speak chien-dich/bien-dao-1.ogg \
  "Hoàng Sa và Trường Sa là bộ phận lãnh thổ không thể tách rời của Việt Nam. Bảo vệ vững chắc chủ quyền, lãnh thổ, biên giới, biển đảo của Tổ quốc là nhiệm vụ thiêng liêng của toàn Đảng, toàn dân và toàn quân ta."

speak chien-dich/bien-dao-2.ogg \
  "Mỗi người dân hãy tìm hiểu Luật Biển Việt Nam, tích cực ủng hộ Quỹ vì biển, đảo Việt Nam, cùng cả nước hướng về những người lính đang ngày đêm canh giữ từng tấc đất, từng vùng biển thân yêu của Tổ quốc."

# II.6: the provincial Party Congress of Ninh Bình (opened 1/10/2025).
speak chien-dich/dai-hoi-tinh.ogg \
  "Đại hội đại biểu Đảng bộ tỉnh Ninh Bình lần thứ nhất, nhiệm kỳ 2025 đến 2030, khai mạc ngày 1 tháng 10 năm 2025. Đây là sự kiện chính trị quan trọng của Đảng bộ và nhân dân toàn tỉnh. Cán bộ, đảng viên và nhân dân xã Liên Minh hướng về Đại hội với niềm tin và quyết tâm cao."

# II.6: the 14th National Party Congress (opened 20/1/2026; two spots, rotated).
speak chien-dich/dai-hoi-xiv-1.ogg \
  "Đại hội đại biểu toàn quốc lần thứ mười bốn của Đảng Cộng sản Việt Nam khai mạc ngày 20 tháng 1 năm 2026 tại Thủ đô Hà Nội. Đây là sự kiện chính trị trọng đại của đất nước, mở ra kỷ nguyên vươn mình của dân tộc Việt Nam."

speak chien-dich/dai-hoi-xiv-2.ogg \
  "Hướng tới Đại hội đại biểu toàn quốc lần thứ mười bốn của Đảng, cán bộ, đảng viên và nhân dân xã Liên Minh hãy thi đua lập thành tích chào mừng, tích cực góp ý vào dự thảo các văn kiện trình Đại hội, củng cố khối đại đoàn kết toàn dân tộc."

# II.6: results of building new-style countryside (nông thôn mới).
speak chien-dich/nong-thon-moi.ogg \
  "Cùng với cả tỉnh, xã Liên Minh tiếp tục xây dựng nông thôn mới nâng cao và nông thôn mới kiểu mẫu. Đường làng, ngõ xóm được bê tông hóa; trường học, trạm y tế, nhà văn hóa được đầu tư khang trang. Đời sống vật chất và tinh thần của nhân dân ngày càng được nâng lên."

# Quốc khánh 2/9, every year (the window before the national day).
speak chien-dich/quoc-khanh.ogg \
  "Nhiệt liệt chào mừng kỷ niệm Cách mạng tháng Tám thành công và Quốc khánh nước Cộng hòa xã hội chủ nghĩa Việt Nam, mùng 2 tháng 9. Đề nghị các gia đình, cơ quan, đơn vị trên địa bàn xã treo cờ Tổ quốc trong những ngày lễ."

# II.7: culture, arts, sports and tourism.
speak chien-dich/van-hoa-du-lich.ogg \
  "Mời bà con tham gia các hoạt động văn nghệ, thể dục thể thao tại nhà văn hóa các thôn, và cùng khám phá những điểm du lịch nổi tiếng của tỉnh Ninh Bình như Tràng An, Tam Cốc, chùa Bái Đính. Mỗi người dân hãy là một hướng dẫn viên thân thiện, mến khách."

# II.8: information technology and digital communication.
speak chien-dich/chuyen-doi-so.ogg \
  "Hãy sử dụng ứng dụng định danh điện tử quốc gia, thanh toán không dùng tiền mặt và làm thủ tục hành chính qua dịch vụ công trực tuyến để tiết kiệm thời gian, chi phí. Theo dõi trang thông tin điện tử của xã để nắm bắt tin tức chính thống, kịp thời."

# --- Special programs (chương trình đặc biệt) ------------------------------

# Quốc khánh: the signature tune, then a short address.
say dac-biet.wav \
  "Chương trình đặc biệt chào mừng Quốc khánh. Hôm nay, cả nước hân hoan kỷ niệm ngày Chủ tịch Hồ Chí Minh đọc bản Tuyên ngôn độc lập, khai sinh nước Việt Nam Dân chủ Cộng hòa. Đài truyền thanh xã Liên Minh kính chúc quý vị và các bạn một ngày lễ vui tươi, an toàn."
encode "$speech_quality" dac-biet/quoc-khanh.ogg "$tmp/nhac-hieu.wav" "$tmp/dac-biet.wav"

# Tết Dương lịch (1 January): New Year wishes, then the signature tune.
say dac-biet.wav \
  "Chương trình đặc biệt chào năm mới. Nhân dịp Tết Dương lịch, Đài truyền thanh xã Liên Minh kính chúc quý vị và các bạn một năm mới sức khỏe, hạnh phúc và thành công. Chúc quê hương Liên Minh ngày càng giàu đẹp, văn minh."
encode "$speech_quality" dac-biet/chao-nam-moi.ogg "$tmp/dac-biet.wav" "$tmp/nhac-hieu.wav"

# --- Announcements (thông báo) ---------------------------------------------

speak thong-bao/hop-dan.ogg \
  "Thông báo. Trưởng thôn Đông trân trọng kính mời đại diện các hộ gia đình trong thôn đến dự họp dân vào hồi 19 giờ 30 phút tối nay, ngày 5 tháng 11, tại nhà văn hóa thôn Đông, để bàn việc làm đường giao thông nội đồng. Đề nghị bà con đến dự đầy đủ, đúng giờ."

echo "Total: $(du -sh "$out" | cut -f1)"
